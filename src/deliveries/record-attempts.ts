import { type Insertable, sql } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { Db } from '../db/database.ts';
import type { SendOutcome } from '../delivery-client/index.ts';
import type { AttemptNotice, DeliveryNotice, Notices } from '../pubsub/notices.ts';
import { deliveryJob } from '../queue/jobs.ts';
import { type DeliveryJobInsert, enqueueDeliveryJobs, type Queue } from '../queue/queue.ts';
import { newId } from '../shared/ids.ts';
import { decideNext } from './decide-next.ts';
import { cancelPendingDeliveriesOfWebhook } from './deliveries.cancel.ts';
import type { DeliveryAttempt } from './deliveries.service.ts';
import type { DeliveryAttemptsTable } from './deliveries.table.ts';
import type { DeliveryContext } from './load-deliveries.ts';
import { disabledReason, shouldDisable } from './maybe-disable.ts';
import type { RecentAttempts } from './recent-attempts.ts';

/** The fetched job a settlement closes; the retry count pins the exact claim we hold. */
export interface JobClaim {
  id: string;
  retryCount: number;
}

export interface AttemptResult {
  startedAt: Date;
  requestHeaders: Record<string, string>;
  outcome: SendOutcome;
}

/** How a fetched job ended; each kind is recorded differently. */
export type Settlement =
  | { kind: 'attempted'; job: JobClaim; context: DeliveryContext; result: AttemptResult }
  /** The webhook was disabled or deleted while the job waited: nobody is contacted. */
  | { kind: 'cancelled'; job: JobClaim; context: DeliveryContext }
  /** The delivery is gone or no longer pending (redelivered, cancelled): nothing to do. */
  | { kind: 'skipped'; job: JobClaim }
  /** Shutdown interrupted the attempt: the job goes back to the queue for another worker. */
  | { kind: 'released'; job: JobClaim; context: DeliveryContext };

export interface RecordOptions {
  queue: Queue;
  scheduleSeconds: readonly number[];
  disableAfterSeconds: number;
  now?: () => Date;
  /** Where this process's live feeds find the attempts without reading them back. */
  recentAttempts?: RecentAttempts;
}

// PostgreSQL text cannot hold NUL; a receiver may send anything.
const clean = (text: string | null): string | null =>
  text === null ? null : text.replaceAll('\u0000', '\uFFFD');

function describeError(outcome: SendOutcome): string | null {
  if (outcome.error) return clean(`${outcome.error.kind}: ${outcome.error.message}`);
  if (!outcome.ok && outcome.status !== null) return `HTTP ${outcome.status}`;
  return null;
}

/**
 * Writes a batch of settlements in the caller's transaction: the attempts, each delivery's next
 * step, retries as new jobs, the endpoint's health, and the completion of the fetched jobs. One
 * commit covers the whole batch, so a crash loses either all of it (the jobs run again) or none.
 * Returns the notices to publish.
 */
export async function recordSettlements(
  trx: Db,
  settlements: readonly Settlement[],
  options: RecordOptions,
): Promise<Notices> {
  const now = options.now?.() ?? new Date();
  const deliveries: DeliveryNotice[] = [];
  const attempts: AttemptNotice[] = [];
  const retries: DeliveryJobInsert[] = [];

  const attempted = settlements.filter((s) => s.kind === 'attempted');
  const healthy = healthyWebhookIds(attempted);
  if (attempted.length > 0) {
    const recorded: DeliveryAttempt[] = attempted.map((s) => ({
      id: newId('DeliveryAttempt'),
      organizationId: s.context.delivery.organizationId,
      deliveryId: s.context.delivery.id,
      webhookId: s.context.webhook.id,
      attemptNumber: s.context.delivery.attemptCount + 1,
      startedAt: s.result.startedAt,
      durationMs: Math.round(s.result.outcome.durationMs),
      requestHeaders: s.result.requestHeaders,
      responseStatus: s.result.outcome.status,
      responseBody: clean(s.result.outcome.responseBody),
      errorKind: s.result.outcome.error?.kind ?? (s.result.outcome.ok ? null : 'http_status'),
      error: describeError(s.result.outcome),
    }));
    const rows = recorded.map((a) => ({
      id: a.id,
      organization_id: a.organizationId,
      delivery_id: a.deliveryId,
      webhook_id: a.webhookId,
      attempt_number: a.attemptNumber,
      started_at: a.startedAt,
      duration_ms: a.durationMs,
      request_headers: JSON.stringify(a.requestHeaders),
      response_status: a.responseStatus,
      response_body: a.responseBody,
      error_kind: a.errorKind,
      error: a.error,
    }));
    await lockWebhooksIfFailing(trx, attempted);
    await insertAttempts(trx, rows, healthy);
    options.recentAttempts?.remember(recorded);
    rows.forEach((row, i) => {
      const s = attempted[i]!;
      attempts.push({
        organizationId: row.organization_id,
        attemptId: row.id,
        deliveryId: row.delivery_id,
        webhookId: row.webhook_id,
        agentId: s.context.event.agentId,
        eventType: s.context.event.type,
      });
    });
  }

  const steps = attempted.map((s) => ({
    settlement: s,
    step: decideNext({
      outcome: s.result.outcome,
      seriesAttemptNumber: s.context.delivery.seriesAttemptCount + 1,
      scheduleSeconds: options.scheduleSeconds,
      now,
    }),
  }));
  // Lock order matters: webhooks first, then deliveries, as toggleWebhook and deleteWebhook do;
  // the opposite order deadlocks with them. (The attempts above only key-share their deliveries,
  // which conflicts with neither.)
  await recordFailureStreaks(trx, attempted, healthy, now, options.disableAfterSeconds, deliveries);
  const advanced = await advanceDeliveries(
    trx,
    steps.map(({ settlement, step }) => ({
      id: settlement.context.delivery.id,
      status: step.status,
      startedAt: settlement.result.startedAt,
      nextAttemptAt: step.nextAttemptAt,
    })),
    now,
  );
  for (const { settlement, step } of steps) {
    const { delivery, webhook } = settlement.context;
    // Cancelled or disabled meanwhile: the attempt is logged, but nothing follows it.
    if (!advanced.has(delivery.id)) continue;
    deliveries.push({
      organizationId: delivery.organizationId,
      deliveryId: delivery.id,
      webhookId: webhook.id,
      status: step.status,
    });
    if (step.status === 'PENDING' && step.nextAttemptAt) {
      retries.push({
        deliveryId: delivery.id,
        organizationId: delivery.organizationId,
        startAfter: step.nextAttemptAt,
      });
    }
  }

  for (const s of settlements) {
    if (s.kind !== 'cancelled') continue;
    const cancelled = await trx
      .updateTable('deliveries')
      .set({ status: 'CANCELLED', next_attempt_at: null, updated_at: now })
      .where('id', '=', s.context.delivery.id)
      .where('status', '=', 'PENDING')
      .returning(['id'])
      .executeTakeFirst();
    if (cancelled) {
      deliveries.push({
        organizationId: s.context.delivery.organizationId,
        deliveryId: s.context.delivery.id,
        webhookId: s.context.webhook.id,
        status: 'CANCELLED',
      });
    }
  }

  await enqueueDeliveryJobs(options.queue, trx, retries);
  const finished = settlements.filter((s) => s.kind !== 'released').map((s) => s.job);
  const released = settlements.filter((s) => s.kind === 'released').map((s) => s.job);
  if (finished.length > 0) {
    await options.queue.complete(deliveryJob.name, finished, null, { db: fromKysely(trx) });
  }
  if (released.length > 0) {
    await options.queue.fail(
      deliveryJob.name,
      released,
      { reason: 'worker stopped' },
      { db: fromKysely(trx) },
    );
  }
  return { deliveries, attempts };
}

/**
 * Moves each attempted delivery to its next step in one statement, whatever the batch size.
 * Only deliveries still PENDING move; the ids of those that did are returned.
 */
async function advanceDeliveries(
  trx: Db,
  rows: { id: string; status: string; startedAt: Date; nextAttemptAt: Date | null }[],
  now: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.id}::text, ${r.status}::text, ${r.startedAt}::timestamptz, ${r.nextAttemptAt}::timestamptz)`,
    ),
  );
  const result = await sql<{ id: string }>`
    update deliveries as d
    set status = v.status,
        attempt_count = d.attempt_count + 1,
        series_attempt_count = d.series_attempt_count + 1,
        last_attempt_at = v.started_at,
        next_attempt_at = v.next_attempt_at,
        updated_at = ${now}
    from (values ${values}) as v(id, status, started_at, next_attempt_at)
    where d.id = v.id and d.status = 'PENDING'
    returning d.id`.execute(trx);
  return new Set(result.rows.map((row) => row.id));
}

/**
 * A batch that changes endpoints both ways (streaks ended, streaks started) locks them in two
 * statements; two workers doing so in different orders would deadlock. So such a batch first
 * locks every endpoint it touches, in id order. A batch of successes only needs no lock.
 */
async function lockWebhooksIfFailing(
  trx: Db,
  attempted: readonly Extract<Settlement, { kind: 'attempted' }>[],
): Promise<void> {
  if (attempted.every((s) => s.result.outcome.ok)) return;
  const ids = [...new Set(attempted.map((s) => s.context.webhook.id))].sort();
  await sql`select id from webhooks where id = any(${ids}::text[]) order by id for no key update`.execute(
    trx,
  );
}

/** Endpoints that answered within this batch: any failure streak of theirs is over. */
function healthyWebhookIds(
  attempted: readonly Extract<Settlement, { kind: 'attempted' }>[],
): string[] {
  const ids = new Set<string>();
  for (const s of attempted) if (s.result.outcome.ok) ids.add(s.context.webhook.id);
  return [...ids].sort();
}

/**
 * Logs the attempts and, in the same statement (one round trip fewer per batch), ends the
 * failure streaks of the endpoints that answered.
 */
async function insertAttempts(
  trx: Db,
  rows: Insertable<DeliveryAttemptsTable>[],
  healthy: readonly string[],
): Promise<void> {
  if (healthy.length === 0) {
    await trx.insertInto('delivery_attempts').values(rows).execute();
    return;
  }
  await trx
    .with('healthy', (db) =>
      db
        .updateTable('webhooks')
        .set({ failing_since: null })
        .where('id', 'in', healthy)
        .where('failing_since', 'is not', null),
    )
    .insertInto('delivery_attempts')
    .values(rows)
    .execute();
}

/**
 * Tracks the start of each endpoint's unbroken failure streak (a success ended it already, in
 * insertAttempts); a streak longer than the window disables the endpoint and cancels what it
 * still owes.
 */
async function recordFailureStreaks(
  trx: Db,
  attempted: readonly Extract<Settlement, { kind: 'attempted' }>[],
  healthy: readonly string[],
  now: Date,
  disableAfterSeconds: number,
  notices: DeliveryNotice[],
): Promise<void> {
  const succeeded = new Set(healthy);
  const firstFailure = new Map<string, Date>();
  for (const s of attempted) {
    const webhookId = s.context.webhook.id;
    if (!s.result.outcome.ok && !firstFailure.has(webhookId)) {
      firstFailure.set(webhookId, s.result.startedAt);
    }
  }
  // In id order, so that two workers' batches lock shared webhooks in the same order.
  for (const [webhookId, startedAt] of [...firstFailure].sort(([a], [b]) => a.localeCompare(b))) {
    // An endpoint that also answered within this batch is not failing continuously.
    if (succeeded.has(webhookId)) continue;
    const row = await trx
      .updateTable('webhooks')
      .set({ failing_since: sql`coalesce(failing_since, ${startedAt})` })
      .where('id', '=', webhookId)
      .where('enabled', '=', true)
      .returning(['failing_since', 'organization_id'])
      .executeTakeFirst();
    if (!row?.failing_since || !shouldDisable(row.failing_since, now, disableAfterSeconds))
      continue;
    await trx
      .updateTable('webhooks')
      .set({
        enabled: false,
        disabled_reason: disabledReason(row.failing_since, now),
        updated_at: now,
      })
      .where('id', '=', webhookId)
      .execute();
    const cancelled = await cancelPendingDeliveriesOfWebhook(trx, row.organization_id, webhookId);
    for (const deliveryId of cancelled) {
      notices.push({
        organizationId: row.organization_id,
        deliveryId,
        webhookId,
        status: 'CANCELLED',
      });
    }
  }
}
