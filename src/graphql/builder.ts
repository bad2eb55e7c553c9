import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Viewer } from '../auth/viewer.ts';
import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../shared/errors.ts';
import { type IdKind, kindOfId } from '../shared/ids.ts';
import type { GraphQLContext } from './context.ts';
import { registerScalars } from './scalars.ts';

export interface SchemaTypes {
  Context: GraphQLContext;
  /**
   * `organization` is any credential of an organization, whatever its role: for object types,
   * whose fields are reached only through a root field. Every root field names a role scope
   * instead (test/security/roles.test.ts checks it): `manage` (ADMIN), `read` (ADMIN or VIEWER:
   * queries and subscriptions), `emit` (ADMIN or EMITTER), `platform` (an ADMIN API key, not a
   * portal session: keys, portal sessions, the operational webhook, branding).
   */
  AuthScopes: {
    /** Anyone, with or without a key: for startPortalSession, whose input is its credential. */
    public: boolean;
    authenticated: boolean;
    operator: boolean;
    organization: boolean;
    manage: boolean;
    read: boolean;
    emit: boolean;
    platform: boolean;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}

/** GraphQL type names of the objects whose ids `node(id:)` resolves. */
const NODE_TYPENAME: Partial<Record<IdKind, string>> = {
  Agent: 'Agent',
  Webhook: 'Webhook',
  Event: 'Event',
  Delivery: 'Delivery',
  DeliveryAttempt: 'DeliveryAttempt',
  Organization: 'Organization',
  ApiKey: 'ApiKey',
};

export const builder = new SchemaBuilder<SchemaTypes>({
  // Scope auth first, so that it also guards the fields the relay plugin adds.
  plugins: [ScopeAuthPlugin, RelayPlugin, ValidationPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => {
      const viewer = ctx.viewer;
      const role = viewer?.kind === 'organization' ? viewer.role : undefined;
      return {
        public: true,
        authenticated: viewer !== null,
        operator: viewer?.kind === 'operator',
        organization: role !== undefined,
        manage: role === 'ADMIN',
        read: role === 'ADMIN' || role === 'VIEWER',
        emit: role === 'ADMIN' || role === 'EMITTER',
        platform: role === 'ADMIN' && viewer?.kind === 'organization' && !viewer.portalExpiresAt,
      };
    },
    unauthorizedError: (_parent, ctx) => refusal(ctx.viewer),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Our ids already carry their type (`agt_...`), so they serve as global ids unchanged.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => {
      const kind = kindOfId(globalID);
      const typename = kind && NODE_TYPENAME[kind];
      if (!typename) throw new NotFoundError('Object', globalID.slice(0, 64));
      return { typename, id: globalID };
    },
    nodesQueryOptions: false,
    // node(id:) reads any object of the organization: a query like the others.
    nodeQueryOptions: { authScopes: { read: true } },
  },
  validation: {
    validationError: (failure) =>
      new BadUserInputError(
        failure.issues.map((issue) => ({
          field: (issue.path ?? [])
            .map((segment) => (typeof segment === 'object' ? String(segment.key) : String(segment)))
            .join('.')
            // Every mutation takes one `input` argument; the field inside it is what matters.
            .replace(/^input\./, ''),
          message: issue.message,
        })),
      ),
  },
});

export type Builder = typeof builder;

/** Why a field was refused: no credential at all, or one that may not do this. */
function refusal(viewer: Viewer | null): Error {
  if (!viewer) return new UnauthenticatedError();
  if (viewer.kind === 'operator') {
    return new ForbiddenError(
      'The operator key may not do that: it manages organizations, not their objects',
    );
  }
  const who = viewer.portalExpiresAt ? 'portal session' : 'API key';
  return new ForbiddenError(`This ${viewer.role} ${who} may not do that`, { role: viewer.role });
}

registerScalars(builder);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/**
 * Loaders batch, they do not cache: a subscription keeps its context for as long as it runs, so
 * a cached webhook or delivery would go stale between two events.
 */
export const BATCH_ONLY = { loaderOptions: { cache: false } } as const;
