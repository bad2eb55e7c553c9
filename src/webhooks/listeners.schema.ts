import { z } from 'zod';
import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { webhookUrlSchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { BadUserInputError } from '../shared/errors.ts';
import { openListenerSession } from './listener-session.ts';
import {
  answerListenerRequest,
  requireListenerWebhook,
  startListenerWebhook,
} from './listeners.service.ts';
import type { ListenerExchangeRow } from './listeners.table.ts';
import { WebhookRef } from './webhooks.refs.ts';

/** As much of the local server's answer as the attempt log keeps of any endpoint's. */
const MAX_ANSWER_BODY_CHARS = 64 * 1024;
const MAX_ANSWER_ERROR_CHARS = 1_000;

const ListenerRequestRef = builder.objectRef<ListenerExchangeRow>('ListenerRequest');
builder.objectType(ListenerRequestRef, {
  description:
    'One delivery attempt for `hookline listen` to forward: POST `body` with exactly these headers (signed as for any endpoint), then answer with reportListenerResult.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'What reportListenerResult names.' }),
    deliveryId: t.exposeID('delivery_id'),
    headers: t.field({
      type: 'JSON',
      description:
        'Header name to value: content-type, webhook-id, webhook-timestamp, webhook-signature, ...',
      resolve: (row) => row.request_headers,
    }),
    body: t.exposeString('body', { description: 'The exact bytes that were signed (UTF-8).' }),
    expiresAt: t.expose('expires_at', {
      type: 'DateTime',
      description: 'An answer after this is too late: the attempt has timed out.',
    }),
  }),
});

const StartListenerInput = builder.inputType('StartListenerInput', {
  description:
    'Which deliveries `hookline listen` receives. Starting again with the same forwardTo reuses the webhook (and its secret) with these agents and events.',
  fields: (t) => ({
    forwardTo: t.string({
      required: true,
      description:
        'Where the listener forwards, on its own machine (a label: Hookline never contacts it).',
      validate: webhookUrlSchema,
    }),
    agentIds: t.idList({
      description: 'The agents whose events it receives. Null or empty: every agent now.',
      validate: z.array(z.string()).max(100, 'must name at most 100 agents'),
    }),
    events: t.field({
      type: [EventTypeEnum],
      description: 'The event types it receives. Null or empty: every event type.',
    }),
  }),
});

const ReportListenerResultInput = builder.inputType('ReportListenerResultInput', {
  description: "The local server's answer to a ListenerRequest, or why it could not be reached.",
  fields: (t) => ({
    requestId: t.id({ required: true }),
    status: t.int({
      description: 'The HTTP status the local server answered.',
      validate: z.number().int().min(100).max(599),
    }),
    body: t.string({
      description: `Its response body; the first ${MAX_ANSWER_BODY_CHARS} characters are kept.`,
    }),
    error: t.string({
      description: 'Set instead of status when the local server could not be reached.',
      validate: z.string().min(1).max(MAX_ANSWER_ERROR_CHARS),
    }),
  }),
});

const StartListenerPayload = builder.simpleObject('StartListenerPayload', {
  fields: (t) => ({ webhook: t.field({ type: WebhookRef }) }),
});
const ReportListenerResultPayload = builder.simpleObject('ReportListenerResultPayload', {
  fields: (t) => ({
    accepted: t.boolean({
      description: 'False when the request is unknown, already answered or too late.',
    }),
  }),
});

builder.mutationFields((t) => ({
  startListener: t.field({
    description: withExpectedErrors(
      'Creates or reuses the LISTENER webhook `hookline listen` receives deliveries on (its signingSecret verifies them); then subscribe to listenerRequests.',
      {
        BAD_USER_INPUT: 'a field is invalid (extensions.field names it)',
        NOT_FOUND: "an agent does not exist, or is another organization's",
      },
    ),
    type: StartListenerPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: StartListenerInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      webhook: await startListenerWebhook(
        ctx.runtime.transactions,
        ctx.runtime.keyring,
        organizationOf(ctx),
        input,
      ),
    }),
  }),
  reportListenerResult: t.field({
    description: withExpectedErrors(
      'Records what the local server answered to a ListenerRequest: the delivery attempt is logged with it.',
      { BAD_USER_INPUT: 'neither or both of status and error' },
    ),
    type: ReportListenerResultPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: ReportListenerResultInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if ((input.status == null) === (input.error == null)) {
        throw new BadUserInputError([
          { field: 'status', message: 'give either status or error, not both, not neither' },
        ]);
      }
      return {
        accepted: await answerListenerRequest(
          ctx.db,
          ctx.runtime.notifier,
          organizationOf(ctx),
          input.requestId,
          input,
          MAX_ANSWER_BODY_CHARS,
        ),
      };
    },
  }),
}));

builder.subscriptionFields((t) => ({
  listenerRequests: t.field({
    type: ListenerRequestRef,
    description: withExpectedErrors(
      'The delivery attempts of a LISTENER webhook, while this subscription lasts: the webhook counts as listened to, and each attempt comes to exactly one of its listeners. With none, attempts fail with listener_offline and are retried on the schedule.',
      {
        BAD_USER_INPUT: 'the webhook is not a LISTENER webhook',
        NOT_FOUND: "the webhook does not exist, or is another organization's",
      },
    ),
    authScopes: { manage: true },
    args: { webhookId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const organizationId = organizationOf(ctx);
      await requireListenerWebhook(ctx.db, organizationId, args.webhookId);
      return openListenerSession({
        db: ctx.db,
        notifier: ctx.runtime.notifier,
        logger: ctx.logger,
        organizationId,
        webhookId: args.webhookId,
      });
    },
    resolve: (row) => row,
  }),
}));
