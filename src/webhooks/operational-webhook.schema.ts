import { cancelDeliveriesOfWebhook } from '../deliveries/deliveries.service.ts';
import { builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { webhookUrlSchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { getOperationalWebhook, setOperationalWebhook } from './operational-webhook.service.ts';
import { signingSecretOf } from './webhook.ts';
import { assertDeliverableAddress } from './webhook-address.ts';
import { WebhookRef } from './webhooks.refs.ts';

const SetOperationalWebhookInput = builder.inputType('SetOperationalWebhookInput', {
  fields: (t) => ({
    url: t.string({
      description: 'Where operational events go; null removes the operational endpoint.',
      validate: webhookUrlSchema.nullish(),
    }),
  }),
});

const SetOperationalWebhookPayload = builder.simpleObject('SetOperationalWebhookPayload', {
  fields: (t) => ({
    url: t.string({ nullable: true, description: 'Null once removed.' }),
    signingSecret: t.string({
      nullable: true,
      description: 'Verify operational events with it (whsec_...); null once removed.',
    }),
  }),
});

builder.queryField('operationalWebhook', (t) =>
  t.field({
    type: WebhookRef,
    nullable: true,
    description:
      'The organization’s operational endpoint (setOperationalWebhook): it gets endpoint.disabled, endpoint.circuit_opened, endpoint.circuit_closed and delivery.exhausted. Not listed in `webhooks`.',
    authScopes: { read: true },
    resolve: async (_root, _args, ctx) =>
      (await getOperationalWebhook(ctx.db, organizationOf(ctx))) ?? null,
  }),
);

builder.mutationField('setOperationalWebhook', (t) =>
  t.field({
    type: SetOperationalWebhookPayload,
    description: withExpectedErrors(
      'Sets the one endpoint that receives operational events about this organization’s other endpoints, signed with its own secret (kept when the URL changes; a URL set again also enables it again). Null removes it, cancelling what it still owes.',
      {
        BAD_USER_INPUT:
          'the URL is invalid (not http(s), credentials, control characters, a refused address)',
        FORBIDDEN: 'not an ADMIN API key (portal sessions cannot)',
      },
    ),
    authScopes: { platform: true },
    args: { input: t.arg({ type: SetOperationalWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const url = input.url ?? null;
      if (url) assertDeliverableAddress(url, ctx.config.delivery.allowNetworks);
      const organizationId = organizationOf(ctx);
      const { current } = await ctx.runtime.transactions(async (trx, outbox) => {
        const result = await setOperationalWebhook(trx, ctx.runtime.keyring, organizationId, url);
        if (result.removed) {
          await cancelDeliveriesOfWebhook(trx, outbox, organizationId, result.removed.id);
        }
        return result;
      });
      return {
        url: current?.url ?? null,
        signingSecret: current ? signingSecretOf(current, ctx.runtime.keyring) : null,
      };
    },
  }),
);
