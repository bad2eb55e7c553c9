import type { Db } from '../db/database.ts';
import { selectWebhookStats } from './webhook-stats.repository.ts';

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
