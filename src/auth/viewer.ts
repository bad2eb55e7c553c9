/**
 * What an organization's credential may do (docs/api.md, Roles): ADMIN everything the
 * organization may do, EMITTER only emit (and read the event catalog), VIEWER read and subscribe.
 */
export type OrganizationRole = 'ADMIN' | 'EMITTER' | 'VIEWER';

export const ORGANIZATION_ROLES: readonly OrganizationRole[] = ['ADMIN', 'EMITTER', 'VIEWER'];

/** Who is calling. Resolvers never look at raw keys, only at this. */
export type Viewer =
  | { kind: 'operator'; apiKeyId: string }
  | {
      kind: 'organization';
      /** The API key's id, or the portal session's (`psn_...`): what revocation closes. */
      apiKeyId: string;
      organizationId: string;
      role: OrganizationRole;
      /** Set for a dashboard signed in through a portal link: when its session ends. */
      portalExpiresAt?: Date;
    };

export type OrganizationViewer = Extract<Viewer, { kind: 'organization' }>;
