import { sql } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { NextStep } from '../decide-next.ts';

export interface Advance {
  id: string;
  startedAt: Date;
  step: NextStep;
}

/**
 * Moves each attempted delivery to its next step in one statement, whatever the batch size: its
 * status, counters and place in the queue (a retry keeps its job, a held delivery has none).
 * Only deliveries still PENDING move (one cancelled meanwhile stays cancelled); the ids of those
 * that did are returned.
 */
export async function advanceDeliveries(
  trx: Db,
  advances: readonly Advance[],
  now: Date,
): Promise<Set<string>> {
  if (advances.length === 0) return new Set();
  const values = sql.join(
    advances.map(
      ({ id, startedAt, step }) =>
        sql`(${id}::text, ${step.status}::text, ${queueStateAfter(step)}::text,
          ${step.spendsSchedule ? 1 : 0}::int, ${startedAt}::timestamptz,
          ${step.nextAttemptAt}::timestamptz)`,
    ),
  );
  const result = await sql<{ id: string }>`
    /* advanceDeliveries */
    update deliveries as d
    set status = v.status,
        queue_state = v.queue_state,
        attempt_count = d.attempt_count + 1,
        series_attempt_count = d.series_attempt_count + v.spent,
        last_attempt_at = v.started_at,
        next_attempt_at = v.next_attempt_at,
        updated_at = ${now}
    from (values ${values}) as v(id, status, queue_state, spent, started_at, next_attempt_at)
    where d.id = v.id and d.status = 'PENDING'
    returning d.id`.execute(trx);
  return new Set(result.rows.map((row) => row.id));
}

function queueStateAfter(step: NextStep): string {
  // Only a PENDING delivery's queue state means anything; HELD ones wait without a job.
  return step.status === 'PENDING' ? 'retrying' : 'waiting';
}

/**
 * Deliveries fetched but not attempted: held by an open circuit (no job, schedule untouched),
 * or cancelled because their webhook was disabled or deleted. Returns the ids that changed.
 */
export async function settleUnattempted(
  trx: Db,
  ids: readonly string[],
  status: 'HELD' | 'CANCELLED',
  now: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .updateTable('deliveries')
    .set({
      status,
      queue_state: 'waiting',
      next_attempt_at: null,
      updated_at: now,
    })
    .where('id', 'in', [...ids])
    .where('status', '=', 'PENDING')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * A closed circuit releases what its endpoint held: back to PENDING, due now, waiting for
 * admission like a new delivery. Returns them.
 */
export async function releaseHeld(
  trx: Db,
  webhookIds: readonly string[],
  now: Date,
): Promise<{ id: string; organizationId: string; webhookId: string }[]> {
  if (webhookIds.length === 0) return [];
  const rows = await trx
    .updateTable('deliveries')
    .set({ status: 'PENDING', queue_state: 'waiting', next_attempt_at: now, updated_at: now })
    .where('webhook_id', 'in', [...webhookIds])
    .where('status', '=', 'HELD')
    .returning(['id', 'organization_id', 'webhook_id'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    webhookId: row.webhook_id,
  }));
}
