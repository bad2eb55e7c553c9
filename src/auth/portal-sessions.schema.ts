import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { BadUserInputError } from '../shared/errors.ts';
import { ApiKeyRoleEnum, keyOrganization, OrganizationRef } from './auth.schema.ts';
import { accentColorSchema, brandingOf, platformNameSchema } from './branding.ts';
import { setOrganizationBranding } from './organizations.service.ts';
import {
  createPortalSession,
  DEFAULT_PORTAL_TTL_SECONDS,
  MAX_PORTAL_TTL_SECONDS,
  MIN_PORTAL_TTL_SECONDS,
  PORTAL_ROLES,
  revokePortalSessions,
  startPortalSession,
} from './portal-sessions.service.ts';

const CreatePortalSessionInput = builder.inputType('CreatePortalSessionInput', {
  fields: (t) => ({
    organizationId: t.id({
      description:
        "With the operator key: the organization (required). An organization's ADMIN key signs into its own and may leave this out.",
    }),
    role: t.field({
      type: ApiKeyRoleEnum,
      description: 'ADMIN or VIEWER (the default); an EMITTER has nothing to see.',
    }),
    ttlSeconds: t.int({
      description: `How long the link and the session it starts last: ${MIN_PORTAL_TTL_SECONDS} s to ${MAX_PORTAL_TTL_SECONDS} s (24 h); ${DEFAULT_PORTAL_TTL_SECONDS} s (1 h) when left out.`,
      validate: z
        .number()
        .int()
        .min(MIN_PORTAL_TTL_SECONDS, `must be at least ${MIN_PORTAL_TTL_SECONDS}`)
        .max(MAX_PORTAL_TTL_SECONDS, `must be at most ${MAX_PORTAL_TTL_SECONDS} (24 h)`)
        .nullish(),
    }),
  }),
});
const CreatePortalSessionPayload = builder.simpleObject('CreatePortalSessionPayload', {
  fields: (t) => ({
    url: t.string({
      description:
        'Opens the dashboard signed in. Hand it to one person, for one browser tab: it works once, and its token (in the URL fragment, which no server receives) must not be logged.',
    }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});

const StartPortalSessionInput = builder.inputType('StartPortalSessionInput', {
  fields: (t) => ({ token: t.string({ required: true }) }),
});
const StartPortalSessionPayload = builder.simpleObject('StartPortalSessionPayload', {
  fields: (t) => ({
    credential: t.string({
      description: 'The bearer the dashboard sends from now on, as it would an API key.',
    }),
    role: t.field({ type: ApiKeyRoleEnum }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});

const RevokePortalSessionsInput = builder.inputType('RevokePortalSessionsInput', {
  fields: (t) => ({
    organizationId: t.id({
      description: 'With the operator key: the organization (required); an ADMIN key: its own.',
    }),
  }),
});
const RevokePortalSessionsPayload = builder.simpleObject('RevokePortalSessionsPayload', {
  fields: (t) => ({ revokedCount: t.int({ description: 'Sessions and unused links ended.' }) }),
});

const BrandingRef = builder.objectRef<{ platformName: string | null; accentColor: string | null }>(
  'Branding',
);
builder.objectType(BrandingRef, {
  description:
    'How the dashboard presents itself to this organization: its own setting, else the server’s (HOOKLINE_PORTAL_PLATFORM_NAME, HOOKLINE_PORTAL_ACCENT_COLOR).',
  fields: (t) => ({
    platformName: t.exposeString('platformName', { nullable: true }),
    accentColor: t.exposeString('accentColor', { nullable: true, description: '#rrggbb' }),
  }),
});
builder.objectField(OrganizationRef, 'branding', (t) =>
  t.field({
    type: BrandingRef,
    resolve: (organization, _args, ctx) => brandingOf(organization, ctx.config.portal),
  }),
);

const SetBrandingInput = builder.inputType('SetBrandingInput', {
  fields: (t) => ({
    organizationId: t.id({
      description: 'With the operator key: the organization (required); an ADMIN key: its own.',
    }),
    platformName: t.string({
      description: 'Shown instead of Hookline in the dashboard; null: the server’s default.',
      validate: platformNameSchema.nullish(),
    }),
    accentColor: t.string({
      description: '#rrggbb; null: the server’s default.',
      validate: accentColorSchema.nullish(),
    }),
  }),
});
const SetBrandingPayload = builder.simpleObject('SetBrandingPayload', {
  fields: (t) => ({ organization: t.field({ type: OrganizationRef }) }),
});

const CurrentCredentialRef = builder.objectRef<{
  role: 'ADMIN' | 'EMITTER' | 'VIEWER';
  portalSession: boolean;
  expiresAt: Date | null;
}>('CurrentCredential');
builder.objectType(CurrentCredentialRef, {
  description: 'The API key or portal session this request was made with.',
  fields: (t) => ({
    role: t.field({ type: ApiKeyRoleEnum, resolve: (credential) => credential.role }),
    portalSession: t.exposeBoolean('portalSession'),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a portal session ends; null for an API key.',
    }),
  }),
});

builder.queryField('currentCredential', (t) =>
  t.field({
    type: CurrentCredentialRef,
    description: 'What the calling key or portal session may do (the dashboard adapts to it).',
    authScopes: { read: true },
    resolve: (_root, _args, ctx) => {
      const viewer = ctx.viewer?.kind === 'organization' ? ctx.viewer : undefined;
      return {
        role: viewer?.role ?? 'VIEWER',
        portalSession: viewer?.portalExpiresAt !== undefined,
        expiresAt: viewer?.portalExpiresAt ?? null,
      };
    },
  }),
);

builder.mutationFields((t) => ({
  createPortalSession: t.field({
    type: CreatePortalSessionPayload,
    description: withExpectedErrors(
      'A link that signs a browser into the organization’s dashboard with a role, without an API key, until it expires or revokePortalSessions. By the operator key for any organization, or an organization’s ADMIN key for its own.',
      {
        BAD_USER_INPUT: `role EMITTER, ttlSeconds outside ${MIN_PORTAL_TTL_SECONDS}..${MAX_PORTAL_TTL_SECONDS}, or the operator key gave no organizationId`,
        NOT_FOUND: "the organization does not exist, or is another organization's",
        FORBIDDEN: 'an EMITTER or VIEWER key, or a portal session',
      },
    ),
    authScopes: { platform: true, operator: true },
    args: { input: t.arg({ type: CreatePortalSessionInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const role = input.role ?? 'VIEWER';
      if (!PORTAL_ROLES.includes(role)) {
        throw new BadUserInputError([
          { field: 'role', message: 'must be ADMIN or VIEWER: an EMITTER has no dashboard' },
        ]);
      }
      const organizationId = await keyOrganization(ctx, input.organizationId ?? undefined);
      const base = ctx.config.portal.publicUrl ?? ctx.origin;
      if (!base) throw new Error('no origin to build a portal link on: set HOOKLINE_PUBLIC_URL');
      const created = await createPortalSession(ctx.db, {
        organizationId,
        role,
        ttlSeconds: input.ttlSeconds ?? DEFAULT_PORTAL_TTL_SECONDS,
        createdBy: ctx.viewer?.apiKeyId ?? 'operator',
      });
      return { url: `${base}/#portal=${created.token}`, expiresAt: created.expiresAt };
    },
  }),
  startPortalSession: t.field({
    type: StartPortalSessionPayload,
    description: withExpectedErrors(
      'Exchanges a portal link’s token (its #portal= fragment) for a session credential; needs no key. A token works once: exchanged again, it fails and ends the session it started.',
      { UNAUTHENTICATED: 'the link was already used, has expired, was revoked, or is not one' },
    ),
    // The token is the credential here: anyone holding one may exchange it.
    authScopes: { public: true },
    args: { input: t.arg({ type: StartPortalSessionInput, required: true }) },
    resolve: (_root, { input }, ctx) => startPortalSession(ctx.runtime.transactions, input.token),
  }),
  revokePortalSessions: t.field({
    type: RevokePortalSessionsPayload,
    description: withExpectedErrors(
      'Ends every portal session and unused link of the organization at once: their dashboards are signed out, their live connections closed.',
      {
        BAD_USER_INPUT: 'the operator key gave no organizationId',
        NOT_FOUND: "the organization does not exist, or is another organization's",
        FORBIDDEN: 'an EMITTER or VIEWER key, or a portal session',
      },
    ),
    authScopes: { platform: true, operator: true },
    args: { input: t.arg({ type: RevokePortalSessionsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = await keyOrganization(ctx, input.organizationId ?? undefined);
      const ids = await revokePortalSessions(ctx.runtime.transactions, organizationId);
      // This process forgets them before answering; the others on the revocation's notice.
      for (const id of ids) ctx.authenticator.forget(id);
      return { revokedCount: ids.length };
    },
  }),
  setBranding: t.field({
    type: SetBrandingPayload,
    description: withExpectedErrors(
      'Sets how the dashboard presents itself to the organization’s users: a platform name and an accent colour. Fields left out keep their value; null goes back to the server’s default.',
      {
        BAD_USER_INPUT: 'a name over 60 characters, a colour not #rrggbb',
        NOT_FOUND: "the organization does not exist, or is another organization's",
        FORBIDDEN: 'an EMITTER or VIEWER key, or a portal session',
      },
    ),
    authScopes: { platform: true, operator: true },
    args: { input: t.arg({ type: SetBrandingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = await keyOrganization(ctx, input.organizationId ?? undefined);
      return {
        organization: await setOrganizationBranding(ctx.db, organizationId, {
          platformName: input.platformName,
          accentColor: input.accentColor,
        }),
      };
    },
  }),
}));
