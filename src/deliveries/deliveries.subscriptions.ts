import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { builder } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { organizationOf } from '../graphql/viewer.ts';
import type { FeedKind, OrganizationNotice } from '../pubsub/live-feed.ts';
import { unwrapLiveItem } from '../pubsub/live-feed.ts';
import { DeliveryAttemptRef, DeliveryRef, DeliveryStatusEnum } from './deliveries.refs.ts';

/** Subscribes the client to a feed, with the filter and `after` its arguments give. */
function subscribe<N extends OrganizationNotice, T, F>(
  ctx: GraphQLContext,
  kind: FeedKind<N, T, F>,
  filter: F,
  after: string | null | undefined,
) {
  return ctx.runtime.liveFeeds.subscribe(kind, {
    organizationId: organizationOf(ctx),
    filter,
    bufferSize: ctx.config.subscriptions.bufferSize,
    after,
  });
}

const SLOW_CONSUMER_NOTE =
  'A subscriber that falls too far behind is ended with the error SLOW_CONSUMER.';
const RESUME_NOTE =
  'A subscriber that reconnects passes `after` and first receives what it missed, in order, then the live stream, with no duplicate and no gap; at most the last hour and 10,000 items are replayed (beyond that the error RESUME_TOO_FAR says to use the deliveries query). See docs/live-feeds.md.';

builder.subscriptionFields((t) => ({
  deliveryAttempts: t.field({
    type: DeliveryAttemptRef,
    description: `Every delivery attempt of your organization as it completes, optionally only those of one webhook, agent or event type (arguments combine). ${SLOW_CONSUMER_NOTE} ${RESUME_NOTE}`,
    authScopes: { read: true },
    args: {
      webhookId: t.arg.id(),
      agentId: t.arg.id(),
      eventType: t.arg({ type: EventTypeEnum }),
      after: t.arg.id({
        description:
          'The id of the last attempt you received: the attempts after it are sent first.',
      }),
    },
    subscribe: (_root, args, ctx) =>
      subscribe(
        ctx,
        ctx.runtime.deliveryFeeds.attempts,
        { webhookId: args.webhookId, agentId: args.agentId, eventType: args.eventType },
        args.after,
      ),
    resolve: (item) => unwrapLiveItem(item),
  }),
  deliveryUpdated: t.field({
    type: DeliveryRef,
    description: `Every status change of your organization's deliveries: created (PENDING), retry scheduled (PENDING again), SUCCEEDED, FAILED, CANCELLED. Optionally only one webhook's, or only one status. ${SLOW_CONSUMER_NOTE} ${RESUME_NOTE} A replay sends each delivery changed since once, as it is now.`,
    authScopes: { read: true },
    args: {
      webhookId: t.arg.id(),
      status: t.arg({ type: DeliveryStatusEnum }),
      after: t.arg.id({
        description:
          'The `changeId` of the last delivery you received: the changes after it are sent first.',
      }),
    },
    subscribe: (_root, args, ctx) =>
      subscribe(
        ctx,
        ctx.runtime.deliveryFeeds.deliveries,
        { webhookId: args.webhookId, status: args.status },
        args.after,
      ),
    resolve: (item) => unwrapLiveItem(item),
  }),
}));
