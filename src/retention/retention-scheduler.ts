import { type Kysely, sql } from 'kysely';
import type { DatabaseMode } from '../db/connect.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import { type PurgeOptions, type PurgeResult, purgeExpiredRows } from './purge.ts';

export interface RetentionSchedulerOptions {
  db: Kysely<Database>;
  mode: DatabaseMode;
  logger: Logger;
  days: number;
  intervalMs: number;
  batchSize?: number;
  pauseMs?: number;
}

export interface RetentionScheduler {
  start(): void;
  /** Purges now, unless another process holds the purge lock ('busy'). */
  runOnce(): Promise<PurgeResult | 'busy'>;
  /** Stops the timer and a purge in progress (after its current statement). */
  stop(): Promise<void>;
}

/**
 * Runs the retention purge in the background of worker processes: shortly after start, then
 * every interval. With several workers on one database, a session advisory lock makes one of
 * them purge while the others skip that round; it is held on the connection the purge runs on,
 * so a worker that dies mid-purge releases it with its session. Embedded mode is one process
 * with one connection: no lock, and the connection is not pinned between statements.
 */
export function createRetentionScheduler(options: RetentionSchedulerOptions): RetentionScheduler {
  const { db, logger } = options;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const purgeOptions = (): PurgeOptions => ({
    olderThanDays: options.days,
    batchSize: options.batchSize,
    pauseMs: options.pauseMs,
    signal: stopping.signal,
  });

  const purge = async (): Promise<PurgeResult | 'busy'> => {
    if (options.mode === 'embedded') return purgeExpiredRows(db, purgeOptions());
    return db.connection().execute(async (session) => {
      const { rows } = await sql<{ locked: boolean }>`
        select pg_try_advisory_lock(hashtext('hookline:retention')) as locked
      `.execute(session);
      if (!rows[0]?.locked) return 'busy' as const;
      try {
        return await purgeExpiredRows(session, purgeOptions());
      } finally {
        await sql`select pg_advisory_unlock(hashtext('hookline:retention'))`.execute(session);
      }
    });
  };

  const runOnce = async (): Promise<PurgeResult | 'busy'> => {
    const started = performance.now();
    const result = await purge();
    if (result === 'busy') {
      logger.debug('retention: another process is purging; skipped this round');
    } else {
      const fields = {
        attempts: result.attempts,
        events: result.events,
        ended: result.ended,
        cutoff: result.cutoff,
        durationMs: Math.round(performance.now() - started),
      };
      if (result.attempts + result.events + result.ended > 0)
        logger.info(fields, 'retention: purged old rows');
      else logger.debug(fields, 'retention: nothing to purge');
    }
    return result;
  };

  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => logger.warn({ err: error }, 'retention purge failed'))
        .finally(() => {
          running = undefined;
          if (!stopping.signal.aborted) schedule(options.intervalMs);
        });
    }, delayMs);
    timer.unref();
  };

  return {
    start() {
      if (options.days <= 0) {
        logger.info('retention is off (HOOKLINE_RETENTION_DAYS=0): nothing is purged');
        return;
      }
      // Soon after start, spread out so that workers started together do not all try at once.
      schedule(Math.min(options.intervalMs, 60_000) * (0.5 + Math.random() / 2));
    },
    runOnce,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
