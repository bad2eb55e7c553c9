import { type RawBuilder, sql } from 'kysely';
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

export interface TimelineBucketRow {
  starts_at: Date;
  success_count: number;
  failure_count: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

/** Whose attempts a timeline counts: one webhook's, or those of all an organization's webhooks. */
export type TimelineScope = { organizationId: string; webhookId?: string };

/** Bucket starts are whole multiples of the bucket's length from this moment, in UTC. */
const BUCKET_ORIGIN = sql`timestamptz '2000-01-01 00:00:00+00'`;

/**
 * Attempts counted per bucket of time: the last `bucketCount` buckets of `bucketSeconds`, the
 * last of them the one now falls in (so it is still filling), every bucket present, empty ones
 * with zero counts and no latency. One statement: the buckets from generate_series, joined to
 * the attempts grouped by date_bin, which walk the index delivery_attempts(webhook_id,
 * started_at). An organization's attempts go through its webhooks (deleted ones left out) so
 * that the same index serves, one range a webhook, rather than an index of their own that every
 * attempt written would have to update as well.
 */
export async function selectTimeline(
  db: Db,
  scope: TimelineScope,
  bucketSeconds: number,
  bucketCount: number,
): Promise<TimelineBucketRow[]> {
  const step = sql`make_interval(secs => ${bucketSeconds}::float8)`;
  // Expressions of now(), not a CTE's columns: the planner then sees the range (it folds now()
  // to estimate) and scans only that part of the index.
  const current = sql`date_bin(${step}, now(), ${BUCKET_ORIGIN})`;
  const firstStart = sql`(${current} - ${step} * ${bucketCount - 1}::int)`;
  const { rows } = await sql<TimelineBucketRow>`
    /* stats timeline */
    with counted as (
      select date_bin(${step}, a.started_at, ${BUCKET_ORIGIN}) as starts_at,
             (count(*) filter (where a.error_kind is null))::int as success_count,
             (count(*) filter (where a.error_kind is not null))::int as failure_count,
             round(percentile_cont(0.5) within group (order by a.duration_ms))::int as p50_ms,
             round(percentile_cont(0.95) within group (order by a.duration_ms))::int as p95_ms
      from delivery_attempts a
      where a.organization_id = ${scope.organizationId} and ${attemptsOf(scope)}
        and a.started_at >= ${firstStart} and a.started_at < ${current} + ${step}
      group by 1
    )
    select b.starts_at,
           coalesce(c.success_count, 0) as success_count,
           coalesce(c.failure_count, 0) as failure_count,
           c.p50_ms, c.p95_ms
    from generate_series(${firstStart}, ${current}, ${step}) as b(starts_at)
    left join counted c on c.starts_at = b.starts_at
    order by b.starts_at
  `.execute(db);
  return rows;
}

function attemptsOf(scope: TimelineScope): RawBuilder<unknown> {
  if (scope.webhookId !== undefined) return sql`a.webhook_id = ${scope.webhookId}`;
  return sql`a.webhook_id in (${liveWebhooksOf(scope.organizationId)})`;
}

/** The ids of an organization's webhooks that are not deleted (a partial index holds them). */
const liveWebhooksOf = (organizationId: string) =>
  sql`select w.id from webhooks w where w.organization_id = ${organizationId} and w.deleted_at is null`;

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

export interface WebhookHealthOptions {
  /**
   * One organization's webhooks only, deleted ones left out. Their attempts are then found
   * through the index delivery_attempts(webhook_id, started_at), one range a webhook.
   */
  organizationId?: string;
  /** Only webhooks with at least one failed attempt in the window. */
  failingOnly?: boolean;
}

/**
 * Every webhook with attempts in the last `sinceSeconds`, worst failure rate first: the
 * operator's view across organizations, or one organization's. Across organizations filtered on
 * created_at (indexed on its own; it is the attempt's end, a request timeout at most after its
 * start).
 */
export async function selectWebhookHealth(
  db: Db,
  sinceSeconds: number,
  limit: number,
  options: WebhookHealthOptions = {},
): Promise<WebhookHealthRow[]> {
  const since = sql`now() - make_interval(secs => ${sinceSeconds}::float8)`;
  const scope =
    options.organizationId === undefined
      ? sql`a.created_at >= ${since}`
      : sql`a.organization_id = ${options.organizationId}
          and a.webhook_id in (${liveWebhooksOf(options.organizationId)})
          and a.started_at >= ${since}`;
  const failures = sql`count(*) filter (where a.error_kind is not null)`;
  const { rows } = await sql<WebhookHealthRow>`
    /* webhook health */
    select a.webhook_id, w.organization_id, w.url, w.enabled,
           count(*)::int as attempts,
           (${failures})::int as failures,
           round(percentile_cont(0.95) within group (order by a.duration_ms))::int as p95_ms,
           max(a.started_at) filter (where a.error_kind is not null) as last_error_at
    from delivery_attempts a
    join webhooks w on w.id = a.webhook_id
    where ${scope}
    group by a.webhook_id, w.organization_id, w.url, w.enabled
    ${options.failingOnly ? sql`having ${failures} > 0` : sql``}
    order by (${failures})::float8 / count(*) desc, count(*) desc, a.webhook_id
    limit ${limit}
  `.execute(db);
  return rows;
}
