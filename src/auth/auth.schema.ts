import { builder } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { nameSchema } from '../graphql/validators.ts';
import { organizationOf, organizationViewer } from '../graphql/viewer.ts';
import { BadUserInputError, NotFoundError } from '../shared/errors.ts';
import { createOrganizationWithKey, issueApiKey } from './auth.service.ts';
import { revokeApiKeyEverywhere } from './key-revocation.ts';
import {
  type ApiKey,
  getApiKey,
  getOrganization,
  listApiKeys,
  type Organization,
  toApiKey,
  toOrganization,
} from './organizations.service.ts';

export const OrganizationRef = builder.objectRef<Organization>('Organization');
export const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey');

builder.node(OrganizationRef, {
  description: 'A tenant: it owns agents, webhooks, events and API keys.',
  id: { resolve: (org) => org.id },
  loadOne: async (id, ctx) =>
    organizationOf(ctx) === id ? ((await getOrganization(ctx.db, id)) ?? null) : null,
  // The operator reads the organization it just created in createOrganization's payload.
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.node(ApiKeyRef, {
  description: 'An API key of an organization. The key itself is shown only when created.',
  id: { resolve: (key) => key.id },
  loadOne: async (id, ctx) => (await getApiKey(ctx.db, organizationOf(ctx), id)) ?? null,
  // The operator reads the key it just created for an organization in createApiKey's payload.
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    hint: t.exposeString('hint', {
      description: 'The first and last characters, to tell keys apart.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.field({
    type: [ApiKeyRef],
    description: "The calling key's organization's API keys, revoked ones included, oldest first.",
    authScopes: { organization: true },
    resolve: (_root, _args, ctx) => listApiKeys(ctx.db, organizationOf(ctx)),
  }),
);

builder.queryField('organization', (t) =>
  t.field({
    type: OrganizationRef,
    nullable: true,
    description: "The calling key's organization.",
    authScopes: { organization: true },
    resolve: async (_root, _args, ctx) =>
      (await getOrganization(ctx.db, organizationOf(ctx))) ?? null,
  }),
);

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({ name: t.string({ required: true, validate: nameSchema }) }),
});
const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true, validate: nameSchema }),
    organizationId: t.id({
      description:
        'With the operator key: the organization to create the key for (required). An organization key creates keys for its own organization and leaves this out.',
    }),
  }),
});
const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const CreateOrganizationPayload = builder.simpleObject('CreateOrganizationPayload', {
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef }),
    apiKey: t.string({ description: 'The first API key of the organization. Shown only now.' }),
    key: t.field({ type: ApiKeyRef, description: 'The first API key’s record.' }),
  }),
});
const CreateApiKeyPayload = builder.simpleObject('CreateApiKeyPayload', {
  fields: (t) => ({
    apiKey: t.string({ description: 'The new key. Shown only now: store it.' }),
    key: t.field({ type: ApiKeyRef }),
  }),
});
const RevokeApiKeyPayload = builder.simpleObject('RevokeApiKeyPayload', {
  fields: (t) => ({ key: t.field({ type: ApiKeyRef }) }),
});

/**
 * The organization a new key is for: the operator names it; an organization key may only name
 * its own (another's id is NOT_FOUND, exactly as an id that does not exist).
 */
async function keyOrganization(
  ctx: GraphQLContext,
  requested: string | number | undefined,
): Promise<string> {
  const id = requested === undefined ? undefined : String(requested);
  if (ctx.viewer?.kind === 'organization') {
    const own = organizationViewer(ctx).organizationId;
    if (id !== undefined && id !== own) throw new NotFoundError('Organization', id);
    return own;
  }
  if (id === undefined) {
    throw new BadUserInputError([
      { field: 'organizationId', message: 'is required with the operator key' },
    ]);
  }
  if (!(await getOrganization(ctx.db, id))) throw new NotFoundError('Organization', id);
  return id;
}

builder.mutationFields((t) => ({
  createOrganization: t.field({
    type: CreateOrganizationPayload,
    description: 'Needs the operator key.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const created = await ctx.db
        .transaction()
        .execute((trx) => createOrganizationWithKey(trx, input.name));
      return {
        organization: toOrganization(created.organization),
        apiKey: created.apiKey,
        key: toApiKey(created.key),
      };
    },
  }),
  createApiKey: t.field({
    description: withExpectedErrors(
      "Creates an API key for the calling key's organization or, with the operator key, for the one named. The key is shown only now.",
      {
        BAD_USER_INPUT: 'a field is invalid, or the operator key gave no organizationId',
        NOT_FOUND: "the organization does not exist, or is another organization's",
      },
    ),
    type: CreateApiKeyPayload,
    authScopes: { organization: true, operator: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = await keyOrganization(ctx, input.organizationId ?? undefined);
      const issued = await issueApiKey(ctx.db, { organizationId, name: input.name });
      return { apiKey: issued.apiKey, key: toApiKey(issued.row) };
    },
  }),
  // Takes effect at once: requests with the key fail, open connections with it are closed.
  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    authScopes: { organization: true },
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const key = await revokeApiKeyEverywhere(
        ctx.runtime.transactions,
        organizationOf(ctx),
        input.id,
      );
      // This process forgets it before answering; the others on the revocation's notice.
      ctx.authenticator.forget(key.id);
      return { key };
    },
  }),
}));
