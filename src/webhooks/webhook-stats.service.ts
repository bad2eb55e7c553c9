import type { Db } from '../db/database.ts';
import {
  selectTimeline,
  selectWebhookHealth,
  selectWebhookStats,
  type TimelineScope,
} from './webhook-stats.repository.ts';

export const STATS_WINDOWS = {
  LAST_HOUR: 3_600,
  LAST_24_HOURS: 24 * 3_600,
  LAST_7_DAYS: 7 * 24 * 3_600,
} as const;

export type StatsWindow = keyof typeof STATS_WINDOWS;

/** An endpoint's health over a window, from its attempt log. */
export interface WebhookStats {
  attemptCount: number;
  successCount: number;
  failureCount: number;
  /** successCount / attemptCount; null without attempts. */
  successRate: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

export async function getWebhookStats(
  db: Db,
  organizationId: string,
  webhookId: string,
  window: StatsWindow,
): Promise<WebhookStats> {
  const row = await selectWebhookStats(db, organizationId, webhookId, STATS_WINDOWS[window]);
  return {
    attemptCount: row.attempt_count,
    successCount: row.success_count,
    failureCount: row.attempt_count - row.success_count,
    successRate: row.attempt_count > 0 ? row.success_count / row.attempt_count : null,
    p50LatencyMs: row.p50_ms,
    p95LatencyMs: row.p95_ms,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
  };
}

/**
 * How each window is cut for charts: buckets of a length a person reads easily (a minute, a
 * quarter of an hour, two hours), between 60 and 96 of them, enough to see when a change began
 * and few enough to draw as bars.
 */
export const TIMELINE_BUCKET_SECONDS: Record<StatsWindow, number> = {
  LAST_HOUR: 60,
  LAST_24_HOURS: 15 * 60,
  LAST_7_DAYS: 2 * 3_600,
};

/** Attempts in one bucket of a timeline. */
export interface StatsBucket {
  startsAt: Date;
  endsAt: Date;
  successCount: number;
  failureCount: number;
  /** Null when the bucket has no attempt. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

/**
 * The window as consecutive buckets, oldest first, the last one being the bucket now falls in;
 * the first begins up to one bucket's length short of the window's full length.
 */
export async function getTimeline(
  db: Db,
  scope: TimelineScope,
  window: StatsWindow,
): Promise<StatsBucket[]> {
  const bucketSeconds = TIMELINE_BUCKET_SECONDS[window];
  const rows = await selectTimeline(
    db,
    scope,
    bucketSeconds,
    STATS_WINDOWS[window] / bucketSeconds,
  );
  return rows.map((row) => ({
    startsAt: row.starts_at,
    endsAt: new Date(row.starts_at.getTime() + bucketSeconds * 1000),
    successCount: row.success_count,
    failureCount: row.failure_count,
    p50LatencyMs: row.p50_ms,
    p95LatencyMs: row.p95_ms,
  }));
}

/** How many webhooks an organization's failure ranking lists. */
export const FAILING_WEBHOOKS_LIMIT = 10;

/** A webhook with failed attempts in a window, from its attempt log. */
export interface FailingWebhook {
  webhookId: string;
  attemptCount: number;
  failureCount: number;
  /** failureCount / attemptCount, above 0. */
  failureRate: number;
  p95LatencyMs: number | null;
  lastErrorAt: Date | null;
}

/** An organization's webhooks that failed in the window, highest failure rate first. */
export async function listFailingWebhooks(
  db: Db,
  organizationId: string,
  window: StatsWindow,
): Promise<FailingWebhook[]> {
  const rows = await selectWebhookHealth(db, STATS_WINDOWS[window], FAILING_WEBHOOKS_LIMIT, {
    organizationId,
    failingOnly: true,
  });
  return rows.map((row) => ({
    webhookId: row.webhook_id,
    attemptCount: row.attempts,
    failureCount: row.failures,
    failureRate: row.failures / row.attempts,
    p95LatencyMs: row.p95_ms,
    lastErrorAt: row.last_error_at,
  }));
}
