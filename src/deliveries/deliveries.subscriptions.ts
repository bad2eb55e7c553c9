import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { builder } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { organizationOf } from '../graphql/viewer.ts';
import {
  type FeedKind,
  type OrganizationNotice,
  type SubscribeOptions,
  subscribeToFeed,
  unwrapLiveItem,
} from '../pubsub/live-feed.ts';
import type { AttemptNotice, DeliveryNotice } from '../pubsub/notices.ts';
import { DeliveryAttemptRef, DeliveryRef, DeliveryStatusEnum } from './deliveries.refs.ts';
import { findAttemptsByIds, findDeliveriesByIds } from './deliveries.repository.ts';
import { type Delivery, toDelivery } from './delivery.ts';
import { type DeliveryAttempt, toDeliveryAttempt } from './delivery-attempt.ts';
import { recentAttemptsOf } from './recent-attempts.ts';

/**
 * Attempts are written once and never change: the row is the item. Those this process's worker
 * has just recorded are taken from memory; only the others are read.
 */
const attemptsFeed: FeedKind<AttemptNotice, DeliveryAttempt> = {
  name: 'deliveryAttempts',
  select: (notices) => notices.attempts ?? [],
  async load(db, notices, notifier) {
    const recent = recentAttemptsOf(notifier);
    const byId = new Map<string, DeliveryAttempt>();
    const missing: string[] = [];
    for (const { attemptId } of notices) {
      const attempt = recent.claim(attemptId);
      if (attempt) byId.set(attemptId, attempt);
      else missing.push(attemptId);
    }
    for (const row of await findAttemptsByIds(db, missing))
      byId.set(row.id, toDeliveryAttempt(row));
    return notices.map((notice) => {
      const attempt = byId.get(notice.attemptId);
      return attempt?.organizationId === notice.organizationId ? attempt : undefined;
    });
  },
};

/**
 * A delivery changes again after its notice (a retry may already be done by the time the row is
 * read), so each item carries the status its notice announced: a subscriber sees PENDING, then
 * SUCCEEDED, even if both changes were committed before the first load ran. The other fields are
 * as loaded.
 */
const deliveriesFeed: FeedKind<DeliveryNotice, Delivery> = {
  name: 'deliveryUpdated',
  select: (notices) => notices.deliveries ?? [],
  async load(db, notices) {
    const ids = [...new Set(notices.map((notice) => notice.deliveryId))];
    const byId = new Map((await findDeliveriesByIds(db, ids)).map((row) => [row.id, row]));
    return notices.map((notice) => {
      const row = byId.get(notice.deliveryId);
      return row?.organization_id === notice.organizationId
        ? { ...toDelivery(row), status: notice.status }
        : undefined;
    });
  },
};

/** What every live field passes to its feed, from the GraphQL context. */
function feedOptions<N extends OrganizationNotice>(
  ctx: GraphQLContext,
  matches: (notice: N) => boolean,
): SubscribeOptions<N> {
  return {
    notifier: ctx.runtime.notifier,
    db: ctx.db,
    logger: ctx.logger,
    organizationId: organizationOf(ctx),
    matches,
    bufferSize: ctx.config.subscriptions.bufferSize,
  };
}

const SLOW_CONSUMER_NOTE =
  'A subscriber that falls too far behind is ended with the error SLOW_CONSUMER.';

builder.subscriptionFields((t) => ({
  deliveryAttempts: t.field({
    type: DeliveryAttemptRef,
    description: `Every delivery attempt of your organization as it completes, optionally only those of one webhook, agent or event type (arguments combine). ${SLOW_CONSUMER_NOTE}`,
    authScopes: { organization: true },
    args: {
      webhookId: t.arg.id(),
      agentId: t.arg.id(),
      eventType: t.arg({ type: EventTypeEnum }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeToFeed(
        attemptsFeed,
        feedOptions<AttemptNotice>(
          ctx,
          (notice) =>
            (!args.webhookId || notice.webhookId === args.webhookId) &&
            (!args.agentId || notice.agentId === args.agentId) &&
            (!args.eventType || notice.eventType === args.eventType),
        ),
      ),
    resolve: (item) => unwrapLiveItem(item),
  }),
  deliveryUpdated: t.field({
    type: DeliveryRef,
    description: `Every status change of your organization's deliveries: created (PENDING), retry scheduled (PENDING again), SUCCEEDED, FAILED, CANCELLED. Optionally only one webhook's, or only one status. ${SLOW_CONSUMER_NOTE}`,
    authScopes: { organization: true },
    args: {
      webhookId: t.arg.id(),
      status: t.arg({ type: DeliveryStatusEnum }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeToFeed(
        deliveriesFeed,
        feedOptions<DeliveryNotice>(
          ctx,
          (notice) =>
            (!args.webhookId || notice.webhookId === args.webhookId) &&
            (!args.status || notice.status === args.status),
        ),
      ),
    resolve: (item) => unwrapLiveItem(item),
  }),
}));
