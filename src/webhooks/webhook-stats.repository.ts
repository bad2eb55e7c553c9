import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface WebhookStatsRow {
  attempt_count: number;
  success_count: number;
  p50_ms: number | null;
  p95_ms: number | null;
  last_error: string | null;
  last_error_at: Date | null;
}

/**
 * One webhook's attempts since `sinceSeconds` ago, summarised in one statement. Both parts walk
 * the index delivery_attempts(webhook_id, started_at): the aggregate over the window, the last
 * error backwards from its end. Success is what the worker records as such: no error kind.
 */
export async function selectWebhookStats(
  db: Db,
  organizationId: string,
  webhookId: string,
  sinceSeconds: number,
): Promise<WebhookStatsRow> {
  const since = sql`now() - make_interval(secs => ${sinceSeconds}::float8)`;
  const { rows } = await sql<WebhookStatsRow>`
    /* webhook stats */
    select s.attempt_count, s.success_count, s.p50_ms, s.p95_ms,
           e.error as last_error, e.started_at as last_error_at
    from (
      select count(*)::int as attempt_count,
             (count(*) filter (where a.error_kind is null))::int as success_count,
             round(percentile_cont(0.5) within group (order by a.duration_ms))::int as p50_ms,
             round(percentile_cont(0.95) within group (order by a.duration_ms))::int as p95_ms
      from delivery_attempts a
      where a.webhook_id = ${webhookId} and a.organization_id = ${organizationId}
        and a.started_at >= ${since}
    ) s
    left join lateral (
      select coalesce(a.error, a.error_kind) as error, a.started_at
      from delivery_attempts a
      where a.webhook_id = ${webhookId} and a.organization_id = ${organizationId}
        and a.started_at >= ${since} and a.error_kind is not null
      order by a.started_at desc
      limit 1
    ) e on true
  `.execute(db);
  return rows[0]!;
}

export interface WebhookHealthRow {
  webhook_id: string;
  organization_id: string;
  url: string;
  enabled: boolean;
  attempts: number;
  failures: number;
  p95_ms: number | null;
  last_error_at: Date | null;
}

/**
 * Every webhook with attempts in the last `sinceSeconds`, worst failure rate first: the
 * operator's view across organizations. Filtered on created_at (indexed on its own; it is the
 * attempt's end, a request timeout at most after its start).
 */
export async function selectWebhookHealth(
  db: Db,
  sinceSeconds: number,
  limit: number,
): Promise<WebhookHealthRow[]> {
  const { rows } = await sql<WebhookHealthRow>`
    /* operator stats: webhook health */
    select a.webhook_id, w.organization_id, w.url, w.enabled,
           count(*)::int as attempts,
           (count(*) filter (where a.error_kind is not null))::int as failures,
           round(percentile_cont(0.95) within group (order by a.duration_ms))::int as p95_ms,
           max(a.started_at) filter (where a.error_kind is not null) as last_error_at
    from delivery_attempts a
    join webhooks w on w.id = a.webhook_id
    where a.created_at >= now() - make_interval(secs => ${sinceSeconds}::float8)
    group by a.webhook_id, w.organization_id, w.url, w.enabled
    order by (count(*) filter (where a.error_kind is not null))::float8 / count(*) desc,
             count(*) desc, a.webhook_id
    limit ${limit}
  `.execute(db);
  return rows;
}
