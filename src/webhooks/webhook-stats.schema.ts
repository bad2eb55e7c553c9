import { OrganizationRef } from '../auth/auth.schema.ts';
import { BATCH_ONLY, builder } from '../graphql/builder.ts';
import { organizationOf } from '../graphql/viewer.ts';
import {
  type FailingWebhook,
  getTimeline,
  getWebhookStats,
  listFailingWebhooks,
  type StatsBucket,
  type WebhookStats,
} from './webhook-stats.service.ts';
import { WebhookRef } from './webhooks.refs.ts';
import { loadWebhooksOfLog } from './webhooks.schema.ts';

export const StatsWindowEnum = builder.enumType('StatsWindow', {
  description: 'A window of time ending now.',
  values: {
    LAST_HOUR: { description: 'The last 60 minutes.' },
    LAST_24_HOURS: { description: 'The last 24 hours.' },
    LAST_7_DAYS: { description: 'The last 7 days.' },
  } as const,
});

const WebhookStatsRef = builder.objectRef<WebhookStats>('WebhookStats');

builder.objectType(WebhookStatsRef, {
  description: "An endpoint's health over a window, computed from its delivery attempts.",
  fields: (t) => ({
    attemptCount: t.exposeInt('attemptCount'),
    successCount: t.exposeInt('successCount', { description: 'Attempts answered with 2xx.' }),
    failureCount: t.exposeInt('failureCount'),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description: 'successCount / attemptCount, from 0 to 1; null when there was no attempt.',
    }),
    p50LatencyMs: t.exposeInt('p50LatencyMs', {
      nullable: true,
      description: 'Median attempt duration (connect to end of response), in milliseconds.',
    }),
    p95LatencyMs: t.exposeInt('p95LatencyMs', { nullable: true }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'The most recent failed attempt in the window: "HTTP 503", "timeout: ...".',
    }),
    lastErrorAt: t.expose('lastErrorAt', { type: 'DateTime', nullable: true }),
  }),
});

const windowArg = builder.args((t) => ({
  window: t.field({ type: StatsWindowEnum, required: true, defaultValue: 'LAST_24_HOURS' }),
}));

builder.objectField(WebhookRef, 'stats', (t) =>
  t.field({
    type: WebhookStatsRef,
    description: 'Delivery health over a window: counts, success rate, latency, last error.',
    args: windowArg,
    resolve: (webhook, args, ctx) =>
      getWebhookStats(ctx.db, webhook.organizationId, webhook.id, args.window),
  }),
);

const StatsBucketRef = builder.objectRef<StatsBucket>('StatsBucket');

builder.objectType(StatsBucketRef, {
  description: 'Delivery attempts that started within one bucket of time, for charts.',
  fields: (t) => ({
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', {
      type: 'DateTime',
      description: 'The next bucket starts here; attempts at this moment belong to it.',
    }),
    successCount: t.exposeInt('successCount', { description: 'Attempts answered with 2xx.' }),
    failureCount: t.exposeInt('failureCount'),
    p50LatencyMs: t.exposeInt('p50LatencyMs', {
      nullable: true,
      description: 'Median attempt duration in the bucket, in milliseconds; null without attempts.',
    }),
    p95LatencyMs: t.exposeInt('p95LatencyMs', { nullable: true }),
  }),
});

const TIMELINE_DESCRIPTION =
  'The window in buckets of time, oldest first: a minute each for LAST_HOUR (60), 15 minutes for LAST_24_HOURS (96), 2 hours for LAST_7_DAYS (84). The last bucket is the one now falls in; buckets without attempts are there with zero counts.';

builder.objectField(WebhookRef, 'timeline', (t) =>
  t.field({
    type: [StatsBucketRef],
    description: `Attempts and latency over time. ${TIMELINE_DESCRIPTION}`,
    args: windowArg,
    resolve: (webhook, args, ctx) =>
      getTimeline(
        ctx.db,
        { organizationId: webhook.organizationId, webhookId: webhook.id },
        args.window,
      ),
  }),
);

const FailingWebhookRef = builder.objectRef<FailingWebhook>('FailingWebhook');

builder.objectType(FailingWebhookRef, {
  description: 'A webhook with failed attempts in a window.',
  fields: (t) => ({
    webhook: t.loadable({
      type: WebhookRef,
      ...BATCH_ONLY,
      load: loadWebhooksOfLog,
      resolve: (row) => row.webhookId,
    }),
    attemptCount: t.exposeInt('attemptCount'),
    failureCount: t.exposeInt('failureCount'),
    failureRate: t.exposeFloat('failureRate', {
      description: 'failureCount / attemptCount, above 0 and at most 1.',
    }),
    p95LatencyMs: t.exposeInt('p95LatencyMs', { nullable: true }),
    lastErrorAt: t.expose('lastErrorAt', { type: 'DateTime', nullable: true }),
  }),
});

// The organization's own key only: the operator key, which reads an organization it creates,
// does not see its deliveries.
builder.objectFields(OrganizationRef, (t) => ({
  timeline: t.field({
    type: [StatsBucketRef],
    description: `Attempts and latency over time, across the organization's webhooks (deleted ones left out). ${TIMELINE_DESCRIPTION}`,
    authScopes: { organization: true },
    args: windowArg,
    resolve: (_org, args, ctx) =>
      getTimeline(ctx.db, { organizationId: organizationOf(ctx) }, args.window),
  }),
  failingWebhooks: t.field({
    type: [FailingWebhookRef],
    description:
      'The webhooks with failed attempts in the window, highest failure rate first (then most attempts), at most 10; deleted webhooks left out.',
    authScopes: { organization: true },
    args: windowArg,
    resolve: (_org, args, ctx) => listFailingWebhooks(ctx.db, organizationOf(ctx), args.window),
  }),
}));
