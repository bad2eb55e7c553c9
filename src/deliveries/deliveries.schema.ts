import { resolveCursorConnection } from '@pothos/plugin-relay';
import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { EventRef } from '../events/events.refs.ts';
import { getEventsByIds, sendTestEvent } from '../events/events.service.ts';
import { BATCH_ONLY, builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { everyOne } from '../graphql/loaders.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { PAGE_SIZE } from '../shared/pagination.ts';
import { WebhookRef } from '../webhooks/webhooks.refs.ts';
import { loadWebhooksOfLog } from '../webhooks/webhooks.schema.ts';
import {
  DeliveryAttemptRef,
  DeliveryKindEnum,
  DeliveryRef,
  DeliveryStatusEnum,
} from './deliveries.refs.ts';
import { findAttempt } from './deliveries.repository.ts';
import {
  getDeliveriesByIds,
  getDelivery,
  listAttemptsOfDeliveries,
  listDeliveries,
  listDeliveriesOfEvents,
  redeliver,
  replayFailedDeliveries,
} from './deliveries.service.ts';
import type { DeliveryStatus } from './deliveries.table.ts';
import { changeIdOf, type Delivery } from './delivery.ts';
import { toDeliveryAttempt } from './delivery-attempt.ts';

builder.node(DeliveryRef, {
  description:
    'One event on its way to one webhook. Its id is the webhook-id header of every attempt.',
  id: { resolve: (delivery) => delivery.id },
  loadMany: (ids, ctx) => getDeliveriesByIds(ctx.db, organizationOf(ctx), ids),
  authScopes: { organization: true },
  fields: (t) => ({
    event: t.loadable({
      type: EventRef,
      ...BATCH_ONLY,
      load: async (ids: string[], ctx) =>
        everyOne('Event', ids, await getEventsByIds(ctx.db, organizationOf(ctx), ids)),
      resolve: (delivery) => delivery.eventId,
    }),
    webhook: t.loadable({
      type: WebhookRef,
      ...BATCH_ONLY,
      load: loadWebhooksOfLog,
      resolve: (delivery) => delivery.webhookId,
    }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status }),
    kind: t.field({ type: DeliveryKindEnum, resolve: (delivery) => delivery.kind }),
    attemptCount: t.exposeInt('attemptCount'),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    changeId: t.id({
      description:
        "This delivery's last change, as a position in the deliveryUpdated feed: pass the last one you received as `after` to resume it.",
      resolve: (delivery) => changeIdOf(delivery),
    }),
    attempts: t.loadableGroup({
      type: DeliveryAttemptRef,
      description: 'Every attempt, oldest first.',
      ...BATCH_ONLY,
      load: (deliveryIds: string[], ctx) =>
        listAttemptsOfDeliveries(ctx.db, organizationOf(ctx), deliveryIds),
      group: (attempt) => attempt.deliveryId,
      resolve: (delivery) => delivery.id,
    }),
  }),
});

builder.node(DeliveryAttemptRef, {
  description: 'One HTTP request to an endpoint, and what came back.',
  id: { resolve: (attempt) => attempt.id },
  loadOne: async (id, ctx) => {
    const row = await findAttempt(ctx.db, organizationOf(ctx), id);
    return row ? toDeliveryAttempt(row) : null;
  },
  authScopes: { organization: true },
  fields: (t) => ({
    delivery: t.loadable({
      type: DeliveryRef,
      ...BATCH_ONLY,
      load: async (ids: string[], ctx) =>
        everyOne('Delivery', ids, await getDeliveriesByIds(ctx.db, organizationOf(ctx), ids)),
      resolve: (attempt) => attempt.deliveryId,
    }),
    attemptNumber: t.exposeInt('attemptNumber'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    durationMs: t.exposeInt('durationMs'),
    requestHeaders: t.field({
      type: 'JSON',
      description:
        "The headers sent, signature included; the webhook's static headers with their values masked. The secret itself is never sent or stored here.",
      resolve: (attempt) => attempt.requestHeaders,
    }),
    responseStatus: t.exposeInt('responseStatus', {
      nullable: true,
      description: 'Null when no response came.',
    }),
    responseBody: t.exposeString('responseBody', {
      nullable: true,
      description: 'At most the first 64 KiB.',
    }),
    errorKind: t.exposeString('errorKind', {
      nullable: true,
      description:
        'timeout, connection_refused, connection_reset, blocked_address, dns, tls, redirect, invalid_response, http_status, ...',
    }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

builder.objectField(EventRef, 'deliveries', (t) =>
  t.loadableGroup({
    type: DeliveryRef,
    description: 'One delivery per webhook the event was sent to.',
    ...BATCH_ONLY,
    load: (eventIds: string[], ctx) =>
      listDeliveriesOfEvents(ctx.db, organizationOf(ctx), eventIds),
    group: (delivery) => delivery.eventId,
    resolve: (event) => event.id,
  }),
);

builder.objectField(WebhookRef, 'deliveries', (t) =>
  t.connection({
    type: DeliveryRef,
    args: { status: t.arg({ type: DeliveryStatusEnum }) },
    resolve: (webhook, args, ctx) =>
      resolveCursorConnection<Promise<Delivery[]>>(
        { args, toCursor: (delivery: Delivery) => delivery.id, ...PAGE_SIZE },
        (page) =>
          listDeliveries(
            ctx.db,
            webhook.organizationId,
            { webhookId: webhook.id, status: args.status },
            page,
          ),
      ),
  }),
);

builder.queryFields((t) => ({
  deliveries: t.connection({
    type: DeliveryRef,
    authScopes: { read: true },
    args: {
      webhookId: t.arg.id(),
      eventId: t.arg.id(),
      status: t.arg({ type: DeliveryStatusEnum }),
    },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Delivery[]>>(
        { args, toCursor: (delivery: Delivery) => delivery.id, ...PAGE_SIZE },
        (page) =>
          listDeliveries(
            ctx.db,
            organizationOf(ctx),
            {
              webhookId: args.webhookId,
              eventId: args.eventId,
              status: args.status as DeliveryStatus | null,
            },
            page,
          ),
      ),
  }),
  delivery: t.field({
    type: DeliveryRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await getDelivery(ctx.db, organizationOf(ctx), args.id)) ?? null,
  }),
}));

const SendTestEventInput = builder.inputType('SendTestEventInput', {
  fields: (t) => ({
    webhookId: t.id({ required: true }),
    type: t.field({ type: EventTypeEnum, required: true }),
  }),
});
const RedeliverInput = builder.inputType('RedeliverInput', {
  fields: (t) => ({ deliveryId: t.id({ required: true }) }),
});
const ReplayFailedDeliveriesInput = builder.inputType('ReplayFailedDeliveriesInput', {
  fields: (t) => ({
    webhookId: t.id({ required: true }),
    since: t.field({ type: 'DateTime', required: true }),
  }),
});

const DeliveryPayload = (name: string) =>
  builder.simpleObject(name, { fields: (t) => ({ delivery: t.field({ type: DeliveryRef }) }) });
const SendTestEventPayload = DeliveryPayload('SendTestEventPayload');
const RedeliverPayload = DeliveryPayload('RedeliverPayload');
const ReplayFailedDeliveriesPayload = builder.simpleObject('ReplayFailedDeliveriesPayload', {
  fields: (t) => ({
    count: t.int({ description: 'How many failed deliveries were started again.' }),
  }),
});

builder.mutationFields((t) => ({
  sendTestEvent: t.field({
    type: SendTestEventPayload,
    description: withExpectedErrors(
      "Sends the catalog's example payload of a type to one webhook, attached to an agent or not.",
      {
        NOT_FOUND: "the webhook does not exist, or is another organization's",
        CONFLICT: 'the webhook is disabled',
      },
    ),
    authScopes: { manage: true },
    args: { input: t.arg({ type: SendTestEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      delivery: await sendTestEvent(ctx.runtime, organizationOf(ctx), input),
    }),
  }),
  redeliver: t.field({
    type: RedeliverPayload,
    description: withExpectedErrors(
      'Starts a new series of attempts for a finished delivery, with the same webhook-id.',
      {
        NOT_FOUND: "the delivery does not exist, or is another organization's",
        CONFLICT:
          'the delivery is not finished yet (pending or held), was a call setup (never sent again), or its webhook is disabled',
      },
    ),
    authScopes: { manage: true },
    args: { input: t.arg({ type: RedeliverInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      delivery: await redeliver(ctx.runtime, organizationOf(ctx), input.deliveryId),
    }),
  }),
  replayFailedDeliveries: t.field({
    type: ReplayFailedDeliveriesPayload,
    description: withExpectedErrors(
      'Redelivers every failed delivery of a webhook created since a time.',
      {
        NOT_FOUND: "the webhook does not exist, or is another organization's",
        CONFLICT: 'the webhook is disabled',
      },
    ),
    authScopes: { manage: true },
    args: { input: t.arg({ type: ReplayFailedDeliveriesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      count: await replayFailedDeliveries(
        ctx.runtime,
        organizationOf(ctx),
        input.webhookId,
        input.since,
      ),
    }),
  }),
}));
