/** Who is calling. Resolvers never look at raw keys, only at this. */
export type Viewer =
  | { kind: 'operator'; apiKeyId: string }
  | { kind: 'organization'; apiKeyId: string; organizationId: string };

export type OrganizationViewer = Extract<Viewer, { kind: 'organization' }>;
