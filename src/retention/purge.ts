import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.ts';

export interface PurgeOptions {
  /** Rows older than this many days go; fractions allowed. */
  olderThanDays: number;
  /** Rows deleted by one statement: short statements, short locks, small WAL bursts. */
  batchSize?: number;
  /** Pause between statements, so the purge yields to the real work. */
  pauseMs?: number;
  /** Stops between statements (shutdown). */
  signal?: AbortSignal;
}

export interface PurgeResult {
  attempts: number;
  /** Events deleted; their deliveries and remaining attempts went with them (FK cascade). */
  events: number;
  /**
   * Rows that only mattered while they lasted, whatever the retention window: portal sessions
   * a day after they expired or were revoked, and what `hookline listen` leaves behind when a
   * process dies (exchanges an hour past their deadline, sessions unseen for an hour).
   */
  ended: number;
  cutoff: Date;
}

export const DEFAULT_PURGE_BATCH_SIZE = 1_000;

/**
 * Deletes what is older than the retention window, in small batches until none is left:
 * first delivery attempts (by their own age), then events with their deliveries. Nothing of a
 * delivery still PENDING or HELD is touched: neither its attempts nor its event, however old, since the
 * delivery still needs them. Run it on one connection at a time per database (see the scheduler).
 */
export async function purgeExpiredRows(
  db: Kysely<Database>,
  options: PurgeOptions,
): Promise<PurgeResult> {
  const batchSize = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
  const pauseMs = options.pauseMs ?? 100;
  // One cutoff for the whole run, from the database's clock.
  const { rows } = await sql<{ cutoff: Date }>`
    select now() - make_interval(secs => ${options.olderThanDays * 86_400}::float8) as cutoff
  `.execute(db);
  const cutoff = rows[0]!.cutoff;

  const loop = async (deleteBatch: () => Promise<number>): Promise<number> => {
    let total = 0;
    while (!options.signal?.aborted) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return total;
  };

  const attempts = await loop(async () => {
    const result = await sql`
      /* retention: delivery attempts */
      delete from delivery_attempts
      where id in (
        select a.id from delivery_attempts a
        where a.created_at < ${cutoff}
          and not exists (
            select 1 from deliveries d where d.id = a.delivery_id and d.status in ('PENDING', 'HELD')
          )
        limit ${batchSize}
      )
    `.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });

  const events = await loop(async () => {
    const result = await sql`
      /* retention: events, with their deliveries (on delete cascade) */
      delete from events
      where id in (
        select e.id from events e
        where e.created_at < ${cutoff}
          and not exists (
            select 1 from deliveries d where d.event_id = e.id and d.status in ('PENDING', 'HELD')
          )
        limit ${batchSize}
      )
    `.execute(db);
    return Number(result.numAffectedRows ?? 0);
  });

  let ended = 0;
  for (const statement of ENDED_ROWS) {
    ended += await loop(async () => {
      const result = await statement(batchSize).execute(db);
      return Number(result.numAffectedRows ?? 0);
    });
  }

  return { attempts, events, ended, cutoff };
}

/** One batch of each kind of ended row (see `PurgeResult.ended`). */
const ENDED_ROWS = [
  (limit: number) => sql`
    /* retention: ended portal sessions */
    delete from portal_sessions where id in (
      select id from portal_sessions
      where expires_at < now() - interval '1 day' or revoked_at < now() - interval '1 day'
      limit ${limit}
    )`,
  (limit: number) => sql`
    /* retention: listener exchanges a dead worker left */
    delete from listener_exchanges where id in (
      select id from listener_exchanges where expires_at < now() - interval '1 hour' limit ${limit}
    )`,
  (limit: number) => sql`
    /* retention: listener sessions of a dead process */
    delete from listener_sessions where id in (
      select id from listener_sessions where seen_at < now() - interval '1 hour' limit ${limit}
    )`,
];
