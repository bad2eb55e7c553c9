import { builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { listOperatorKeys, type OperatorKey, revokeOperatorKey } from './operator-keys.service.ts';

const OperatorKeySourceEnum = builder.enumType('OperatorKeySource', {
  values: {
    CONFIGURED: {
      value: 'configured',
      description: 'Set with HOOKLINE_ADMIN_KEY. A new value retires the previous one at start.',
    },
    GENERATED: {
      value: 'generated',
      description: 'Generated on the first start without HOOKLINE_ADMIN_KEY, shown once.',
    },
  } as const,
});

export const OperatorKeyRef = builder.objectRef<OperatorKey>('OperatorKey');

OperatorKeyRef.implement({
  description: 'A key of the operator, who creates organizations. The key itself is never shown.',
  authScopes: { operator: true },
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    hint: t.exposeString('hint', {
      description: 'The first and last characters, to tell keys apart.',
    }),
    source: t.field({ type: OperatorKeySourceEnum, resolve: (key) => key.source }),
    current: t.boolean({
      description: 'True for the key this request was made with.',
      resolve: (key, _args, ctx) => ctx.viewer?.apiKeyId === key.id,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('operatorKeys', (t) =>
  t.field({
    type: [OperatorKeyRef],
    description: 'Every operator key, revoked and retired ones included, oldest first.',
    authScopes: { operator: true },
    resolve: (_root, _args, ctx) => listOperatorKeys(ctx.db),
  }),
);

const RevokeOperatorKeyInput = builder.inputType('RevokeOperatorKeyInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const RevokeOperatorKeyPayload = builder.simpleObject('RevokeOperatorKeyPayload', {
  fields: (t) => ({ key: t.field({ type: OperatorKeyRef }) }),
});

builder.mutationField('revokeOperatorKey', (t) =>
  t.field({
    type: RevokeOperatorKeyPayload,
    description: withExpectedErrors(
      'Revokes an operator key at once (connections opened with it are closed). Needs the operator key.',
      {
        NOT_FOUND: 'no operator key has this id',
        CONFLICT:
          'the key is already revoked, or it is the last active operator key (register a new one first by setting HOOKLINE_ADMIN_KEY)',
        FORBIDDEN: 'an organization key',
      },
    ),
    authScopes: { operator: true },
    args: { input: t.arg({ type: RevokeOperatorKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const key = await revokeOperatorKey(ctx.runtime.transactions, String(input.id));
      // This process forgets it before answering; the others on the revocation's notice.
      ctx.authenticator.forget(key.id);
      return { key };
    },
  }),
);
