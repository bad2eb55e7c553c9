import { builder } from '../graphql/builder.ts';
import { getWebhookStats, type WebhookStats } from './webhook-stats.service.ts';
import { WebhookRef } from './webhooks.refs.ts';

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

builder.objectField(WebhookRef, 'stats', (t) =>
  t.field({
    type: WebhookStatsRef,
    description: 'Delivery health over a window: counts, success rate, latency, last error.',
    args: {
      window: t.arg({ type: StatsWindowEnum, required: true, defaultValue: 'LAST_24_HOURS' }),
    },
    resolve: (webhook, args, ctx) =>
      getWebhookStats(ctx.db, webhook.organizationId, webhook.id, args.window),
  }),
);
