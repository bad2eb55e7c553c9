import type { InputFieldBuilder } from '@pothos/core';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import { AgentRef } from '../agents/agents.refs.ts';
import { getAgentsByIds } from '../agents/agents.service.ts';
import { cancelDeliveriesOfWebhook } from '../deliveries/deliveries.service.ts';
import { endpointDisabled, raiseOperationalEvents } from '../deliveries/operational-events.ts';
import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { BATCH_ONLY, builder, type SchemaTypes } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { everyOne } from '../graphql/loaders.ts';
import { descriptionSchema, webhookUrlSchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { PAGE_SIZE } from '../shared/pagination.ts';
import {
  headersInputSchema,
  MAX_HEADER_VALUE_LENGTH,
  MAX_HEADERS,
  maskHeaderValue,
  openHeaders,
} from './endpoint-headers.ts';
import {
  assertEndpointSettings,
  MAX_RATE_LIMIT_PER_SECOND,
  MIN_TIMEOUT_MS,
} from './endpoint-settings.ts';
import { attachWebhook, detachWebhook, listSubscriptionsOf } from './subscriptions.service.ts';
import {
  effectiveConcurrency,
  effectiveTimeoutMs,
  signingSecretOf,
  type Webhook,
} from './webhook.ts';
import { assertDeliverableAddress } from './webhook-address.ts';
import { WebhookRef, WebhookSubscriptionRef } from './webhooks.refs.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhooksByIds,
  listWebhooks,
  rotateWebhookSecret,
  setWebhookEnabled,
  updateWebhook,
} from './webhooks.service.ts';

const ORDER_BY_CALL =
  "A call's events go to this endpoint one at a time, in order: the next is sent once the one before has succeeded or ended (FAILED, CANCELLED). Other calls are not held up. Off by default.";

const CircuitStateEnum = builder.enumType('CircuitState', {
  values: {
    CLOSED: { description: 'Attempts go out as usual.' },
    OPEN: {
      description:
        'Too many attempts failed in a row: deliveries are held, without spending their retry schedule, until a probe succeeds.',
    },
    HALF_OPEN: { description: 'One held delivery is being tried as a probe.' },
  } as const,
});

const WebhookKindEnum = builder.enumType('WebhookKind', {
  values: {
    HTTP: { description: 'Hookline POSTs each delivery to the URL.' },
    LISTENER: {
      description:
        'Deliveries travel to a connected `hookline listen` over its WebSocket (startListener, listenerRequests), which forwards them on its own machine.',
    },
  } as const,
});

const MaskedHeaderRef = builder.objectRef<{ name: string; valueHint: string }>('MaskedHeader');
builder.objectType(MaskedHeaderRef, {
  description: 'A static request header of a webhook: its name, and a hint of its value.',
  fields: (t) => ({
    name: t.exposeString('name'),
    valueHint: t.exposeString('valueHint', {
      description: 'The first characters of a long value, then …; … alone for a short one.',
    }),
  }),
});

const EndpointCircuitRef = builder.objectRef<Webhook['circuit']>('EndpointCircuit');
builder.objectType(EndpointCircuitRef, {
  description:
    "The endpoint's circuit breaker: after repeated failures Hookline stops sending, holds the deliveries, and probes now and then.",
  fields: (t) => ({
    state: t.field({ type: CircuitStateEnum, resolve: (circuit) => circuit.state }),
    openedAt: t.expose('openedAt', { type: 'DateTime', nullable: true }),
    nextProbeAt: t.expose('nextProbeAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an open circuit lets its next probe through.',
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', {
      description: 'Failed attempts in a row; any success resets it.',
    }),
  }),
});

/**
 * Webhooks as the delivery log names them: deleted ones included (a deleted webhook's deliveries
 * and subscriptions still say where they went). For loadable fields.
 */
export const loadWebhooksOfLog = async (ids: string[], ctx: GraphQLContext) =>
  everyOne(
    'Webhook',
    ids,
    await getWebhooksByIds(ctx.db, organizationOf(ctx), ids, { includeDeleted: true }),
  );

builder.node(WebhookRef, {
  description: 'An endpoint that receives signed event deliveries.',
  id: { resolve: (webhook) => webhook.id },
  loadMany: (ids, ctx) =>
    getWebhooksByIds(ctx.db, organizationOf(ctx), ids, { includeDeleted: false }),
  authScopes: { organization: true },
  fields: (t) => ({
    url: t.exposeString('url'),
    kind: t.field({ type: WebhookKindEnum, resolve: (webhook) => webhook.kind }),
    description: t.exposeString('description'),
    enabled: t.exposeBoolean('enabled'),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why Hookline disabled this webhook by itself, when it did.',
    }),
    signingSecret: t.string({
      description: 'whsec_ + base64 of 32 bytes: verify the webhook-signature header with it.',
      resolve: (webhook, _args, ctx) => signingSecretOf(webhook, ctx.runtime.keyring),
    }),
    headers: t.field({
      type: [MaskedHeaderRef],
      description:
        'Static headers sent with every request, values masked: they are stored encrypted and shown only as set.',
      resolve: (webhook, _args, ctx) =>
        openHeaders(ctx.runtime.keyring, webhook.id, webhook.sealedHeaders).map((header) => ({
          name: header.name,
          valueHint: maskHeaderValue(header.value),
        })),
    }),
    maxConcurrency: t.int({
      description:
        'Most attempts in flight to this endpoint at once, across all workers (HOOKLINE_ENDPOINT_CONCURRENCY unless set).',
      resolve: (webhook, _args, ctx) =>
        effectiveConcurrency(webhook, ctx.config.delivery.endpoints),
    }),
    rateLimitPerSecond: t.exposeInt('rateLimitPerSecond', {
      nullable: true,
      description:
        'At most this many attempts a second; deliveries beyond it wait (not a failure). Null: no limit.',
    }),
    timeoutMs: t.int({
      description:
        'How long one attempt may take, response included (HOOKLINE_REQUEST_TIMEOUT_MS unless set shorter).',
      resolve: (webhook, _args, ctx) =>
        effectiveTimeoutMs(webhook, ctx.config.delivery.requestTimeoutMs),
    }),
    sendTraceContext: t.exposeBoolean('sendTraceContext', {
      description:
        "Each attempt carries W3C `traceparent` and `tracestate` headers naming its span, when the operator has turned Hookline's tracing on; they are not signed. False unless set.",
    }),
    circuit: t.field({ type: EndpointCircuitRef, resolve: (webhook) => webhook.circuit }),
    operational: t.exposeBoolean('operational', {
      description:
        'The organization’s operational endpoint (setOperationalWebhook): it gets operational events only.',
    }),
    orderByCall: t.exposeBoolean('orderByCall', { description: ORDER_BY_CALL }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    subscriptions: t.loadableGroup({
      type: WebhookSubscriptionRef,
      ...BATCH_ONLY,
      load: (webhookIds: string[], ctx) =>
        listSubscriptionsOf(ctx.db, organizationOf(ctx), { webhookIds }),
      group: (subscription) => subscription.webhookId,
      resolve: (webhook) => webhook.id,
    }),
  }),
});

builder.objectType(WebhookSubscriptionRef, {
  description: 'Which events of one agent go to one webhook.',
  fields: (t) => ({
    webhook: t.loadable({
      type: WebhookRef,
      ...BATCH_ONLY,
      load: loadWebhooksOfLog,
      resolve: (sub) => sub.webhookId,
    }),
    agent: t.loadable({
      type: AgentRef,
      ...BATCH_ONLY,
      load: async (ids: string[], ctx) =>
        everyOne('Agent', ids, await getAgentsByIds(ctx.db, organizationOf(ctx), ids)),
      resolve: (sub) => sub.agentId,
    }),
    events: t.field({ type: [EventTypeEnum], resolve: (sub) => sub.events }),
    respondsToCallSetup: t.exposeBoolean('respondsToCallSetup', {
      description:
        "This webhook answers the agent's call setups (requestCallSetup): at most one per agent.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  webhooks: t.connection({
    type: WebhookRef,
    authScopes: { read: true },
    args: { enabled: t.arg.boolean() },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Webhook[]>>(
        { args, toCursor: (webhook: Webhook) => webhook.id, ...PAGE_SIZE },
        (page) => listWebhooks(ctx.db, organizationOf(ctx), { enabled: args.enabled }, page),
      ),
  }),
  webhook: t.field({
    type: WebhookRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await getWebhook(ctx.db, organizationOf(ctx), args.id)) ?? null,
  }),
}));

const HeaderInput = builder.inputType('HeaderInput', {
  description: `A static request header: an HTTP header name (not one Hookline sets itself, such as webhook-*, content-type or host) and a printable value of at most ${MAX_HEADER_VALUE_LENGTH} characters.`,
  fields: (t) => ({
    name: t.string({ required: true }),
    value: t.string({ required: true }),
  }),
});

const headersField = (
  t: InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, 'InputObject'>,
) =>
  t.field({
    type: [HeaderInput],
    description: `Up to ${MAX_HEADERS} static headers sent with every request, stored encrypted; given, they replace the webhook's (null or empty: none).`,
    validate: headersInputSchema,
  });

const webhookPayload = (name: string) =>
  builder.simpleObject(name, { fields: (t) => ({ webhook: t.field({ type: WebhookRef }) }) });

const endpointSettingFields = (
  t: InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, 'InputObject'>,
) => ({
  maxConcurrency: t.int({
    description: `Most attempts in flight at once, 1 to the operator's ceiling (HOOKLINE_ENDPOINT_MAX_CONCURRENCY). Null: the default.`,
  }),
  rateLimitPerSecond: t.int({
    description: `At most this many attempts a second, 1 to ${MAX_RATE_LIMIT_PER_SECOND}. Null: no limit.`,
  }),
  timeoutMs: t.int({
    description: `Time for one attempt, ${MIN_TIMEOUT_MS} ms up to HOOKLINE_REQUEST_TIMEOUT_MS. Null: that global timeout.`,
  }),
  sendTraceContext: t.boolean({
    description:
      'Send W3C `traceparent` and `tracestate` headers with each attempt (when tracing is on). Null: false.',
  }),
  orderByCall: t.boolean({ description: `${ORDER_BY_CALL} Null: false.` }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, validate: webhookUrlSchema }),
    description: t.string({ validate: descriptionSchema }),
    headers: headersField(t),
    ...endpointSettingFields(t),
  }),
});
const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description:
    'Fields left out keep their value; a setting given as null goes back to its default.',
  fields: (t) => ({
    id: t.id({ required: true }),
    url: t.string({ validate: webhookUrlSchema }),
    description: t.string({ validate: descriptionSchema }),
    headers: headersField(t),
    ...endpointSettingFields(t),
  }),
});
const ToggleWebhookInput = builder.inputType('ToggleWebhookInput', {
  fields: (t) => ({ id: t.id({ required: true }), enabled: t.boolean({ required: true }) }),
});
const WebhookIdInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });
const DeleteWebhookInput = WebhookIdInput('DeleteWebhookInput');
const RotateWebhookSecretInput = WebhookIdInput('RotateWebhookSecretInput');
const AttachWebhookInput = builder.inputType('AttachWebhookInput', {
  fields: (t) => ({
    webhookId: t.id({ required: true }),
    agentId: t.id({ required: true }),
    events: t.field({
      type: [EventTypeEnum],
      required: true,
      validate: z.array(z.string()).min(1, 'must name at least one event type'),
    }),
    respondsToCallSetup: t.boolean({
      description:
        "Make this webhook the agent's call-setup responder: requestCallSetup asks it, within a deadline, how to set up each call. At most one per agent (a second is a CONFLICT). Null or left out: false (attaching again states the whole wish).",
    }),
  }),
});
const DetachWebhookInput = builder.inputType('DetachWebhookInput', {
  fields: (t) => ({ webhookId: t.id({ required: true }), agentId: t.id({ required: true }) }),
});

const CreateWebhookPayload = webhookPayload('CreateWebhookPayload');
const UpdateWebhookPayload = webhookPayload('UpdateWebhookPayload');
const ToggleWebhookPayload = webhookPayload('ToggleWebhookPayload');
const RotateWebhookSecretPayload = webhookPayload('RotateWebhookSecretPayload');
const DeleteWebhookPayload = builder.simpleObject('DeleteWebhookPayload', {
  fields: (t) => ({ deletedWebhookId: t.id() }),
});
const AttachWebhookPayload = builder.simpleObject('AttachWebhookPayload', {
  fields: (t) => ({ subscription: t.field({ type: WebhookSubscriptionRef }) }),
});
const DetachWebhookPayload = builder.simpleObject('DetachWebhookPayload', {
  fields: (t) => ({ webhookId: t.id(), agentId: t.id() }),
});

builder.mutationFields((t) => ({
  createWebhook: t.field({
    description: withExpectedErrors('Creates a webhook endpoint with a new signing secret.', {
      BAD_USER_INPUT:
        'a field is invalid (extensions.field names it): a URL that is not http(s), holds credentials or control characters, or names a refused address; a setting out of range',
    }),
    type: CreateWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      assertDeliverableAddress(input.url, ctx.config.delivery.allowNetworks);
      assertEndpointSettings(input, ctx.config);
      return {
        webhook: await createWebhook(ctx.db, ctx.runtime.keyring, organizationOf(ctx), {
          url: input.url,
          description: input.description ?? '',
          headers: input.headers,
          maxConcurrency: input.maxConcurrency,
          rateLimitPerSecond: input.rateLimitPerSecond,
          timeoutMs: input.timeoutMs,
          sendTraceContext: input.sendTraceContext,
          orderByCall: input.orderByCall,
        }),
      };
    },
  }),
  updateWebhook: t.field({
    description: withExpectedErrors('Changes a webhook; fields left out keep their value.', {
      BAD_USER_INPUT: 'a field is invalid (extensions.field names it)',
      NOT_FOUND: "the webhook does not exist, or is another organization's",
    }),
    type: UpdateWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: UpdateWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if (input.url) assertDeliverableAddress(input.url, ctx.config.delivery.allowNetworks);
      assertEndpointSettings(input, ctx.config);
      return {
        webhook: await updateWebhook(ctx.db, ctx.runtime.keyring, organizationOf(ctx), input.id, {
          url: input.url ?? undefined,
          description: input.description ?? undefined,
          headers: input.headers,
          maxConcurrency: input.maxConcurrency,
          rateLimitPerSecond: input.rateLimitPerSecond,
          timeoutMs: input.timeoutMs,
          sendTraceContext: input.sendTraceContext,
          orderByCall: input.orderByCall,
        }),
      };
    },
  }),
  toggleWebhook: t.field({
    description: withExpectedErrors(
      'Enables or disables a webhook. Disabling cancels what it still owes; enabling clears its failure streak and closes its circuit.',
      { NOT_FOUND: "the webhook does not exist, or is another organization's" },
    ),
    type: ToggleWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: ToggleWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      webhook: await ctx.runtime.transactions(async (trx, outbox) => {
        const before = await getWebhook(trx, organizationOf(ctx), input.id);
        const webhook = await setWebhookEnabled(trx, organizationOf(ctx), input.id, input.enabled);
        if (!input.enabled) {
          await cancelDeliveriesOfWebhook(trx, outbox, webhook.organizationId, webhook.id);
        }
        // Disabled by its organization: the operational endpoint hears of it too (trigger manual).
        if (before?.enabled && !input.enabled) {
          await raiseOperationalEvents(trx, outbox, ctx.runtime.fanOut, [
            endpointDisabled(webhook, {
              trigger: 'manual',
              reason: 'Disabled by its organization (toggleWebhook)',
              failingSince: before.failingSince,
              at: webhook.updatedAt,
            }),
          ]);
        }
        return webhook;
      }),
    }),
  }),
  deleteWebhook: t.field({
    description: withExpectedErrors(
      'Deletes a webhook (its delivery log stays) and cancels what it still owes.',
      { NOT_FOUND: "the webhook does not exist, or is another organization's" },
    ),
    type: DeleteWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: DeleteWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.runtime.transactions(async (trx, outbox) => {
        await deleteWebhook(trx, organizationOf(ctx), input.id);
        await cancelDeliveriesOfWebhook(trx, outbox, organizationOf(ctx), input.id);
      });
      return { deletedWebhookId: input.id };
    },
  }),
  rotateWebhookSecret: t.field({
    description: withExpectedErrors(
      'A new signing secret; the old one keeps signing beside it for the grace period.',
      { NOT_FOUND: "the webhook does not exist, or is another organization's" },
    ),
    type: RotateWebhookSecretPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: RotateWebhookSecretInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      webhook: await rotateWebhookSecret(
        ctx.db,
        ctx.runtime.keyring,
        organizationOf(ctx),
        input.id,
        ctx.config.delivery.secretRotationGraceSeconds,
      ),
    }),
  }),
  attachWebhook: t.field({
    description: withExpectedErrors(
      "Sends an agent's events of these types to a webhook, which may also answer the agent's call setups; attaching again replaces the list and the flag.",
      {
        BAD_USER_INPUT: 'a field is invalid (extensions.field names it)',
        NOT_FOUND: "the webhook or the agent does not exist, or is another organization's",
        CONFLICT: 'respondsToCallSetup, while another webhook answers the agent’s call setups',
      },
    ),
    type: AttachWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: AttachWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      subscription: await attachWebhook(ctx.db, organizationOf(ctx), input),
    }),
  }),
  detachWebhook: t.field({
    description: withExpectedErrors("Stops sending an agent's events to a webhook.", {
      NOT_FOUND: 'no such subscription',
    }),
    type: DetachWebhookPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: DetachWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await detachWebhook(ctx.db, organizationOf(ctx), input);
      return { webhookId: input.webhookId, agentId: input.agentId };
    },
  }),
}));
