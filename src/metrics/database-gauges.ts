import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { Gauge } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import type { Metrics } from './metrics.ts';

export interface BacklogSnapshot {
  /** Deliveries not finished yet (status PENDING), whether due now or waiting for a retry. */
  pending: number;
  /** Pending deliveries whose next attempt is due: waiting for a worker, or in flight. */
  due: number;
  /** Age of the oldest due delivery's due time; 0 when nothing is due. */
  lagSeconds: number;
  /** Webhooks switched off (by Hookline after failing too long, or by their owner). */
  disabledWebhooks: number;
  /** Deliveries held while their endpoint's circuit is open. */
  held: number;
  /** Endpoints whose circuit is open or half open. */
  openCircuits: number;
}

/**
 * One statement for every backlog gauge. `deliveries_pending_due` (a partial index on
 * next_attempt_at where status = 'PENDING') covers the first three and `deliveries_held` the
 * held ones, so its cost follows the backlog, not the table; the webhook counts are small.
 */
export async function readBacklog(db: Kysely<Database>): Promise<BacklogSnapshot> {
  const { rows } = await sql<{
    pending: number;
    due: number;
    lag_seconds: number | null;
    disabled_webhooks: number;
    held: number;
    open_circuits: number;
  }>`
    /* metrics: backlog */
    select
      count(*)::int as pending,
      (count(*) filter (where d.next_attempt_at <= now()))::int as due,
      extract(epoch from now() - min(d.next_attempt_at) filter (where d.next_attempt_at <= now()))::float8 as lag_seconds,
      (select count(*)::int from webhooks w where not w.enabled and w.deleted_at is null) as disabled_webhooks,
      (select count(*)::int from deliveries h where h.status = 'HELD') as held,
      (select count(*)::int from webhooks w where w.circuit_state <> 'CLOSED' and w.deleted_at is null) as open_circuits
    from deliveries d
    where d.status = 'PENDING'
  `.execute(db);
  const row = rows[0]!;
  return {
    pending: row.pending,
    due: row.due,
    lagSeconds: Math.max(0, row.lag_seconds ?? 0),
    disabledWebhooks: row.disabled_webhooks,
    held: row.held,
    openCircuits: row.open_circuits,
  };
}

export interface DatabaseGaugeOptions {
  db: Kysely<Database>;
  pool: pg.Pool;
  logger: Logger;
  /** How long a backlog reading serves scrapes (several Prometheus servers, several processes). */
  cacheMs?: number;
}

/**
 * Gauges read when scraped: the delivery backlog (one cached query) and this process's pool.
 * Every process serves the backlog gauges with the same values, since they describe the shared
 * database: aggregate them with max(), not sum().
 */
export function registerDatabaseGauges(metrics: Metrics, options: DatabaseGaugeOptions): void {
  const cacheMs = options.cacheMs ?? 5_000;
  let cached: { at: number; reading: Promise<BacklogSnapshot | undefined> } | undefined;
  const backlog = (): Promise<BacklogSnapshot | undefined> => {
    const now = Date.now();
    if (!cached || now - cached.at >= cacheMs) {
      cached = {
        at: now,
        reading: readBacklog(options.db).catch((error: unknown) => {
          // The gauges keep their last values; /readyz reports the database itself.
          options.logger.warn({ err: error }, 'could not read the delivery backlog for metrics');
          cached = undefined;
          return undefined;
        }),
      };
    }
    return cached.reading;
  };
  const registers = [metrics.registry];
  const fromBacklog = (name: string, help: string, pick: (s: BacklogSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const snapshot = await backlog();
        if (snapshot) this.set(pick(snapshot));
      },
    });
  fromBacklog(
    'hookline_deliveries_pending',
    'Deliveries not finished yet (PENDING), due or waiting for a retry.',
    (s) => s.pending,
  );
  fromBacklog(
    'hookline_deliveries_due',
    'Pending deliveries whose next attempt is due now (queued or in flight).',
    (s) => s.due,
  );
  fromBacklog(
    'hookline_delivery_lag_seconds',
    'How long the oldest due delivery has been due: the delivery backlog, in time.',
    (s) => s.lagSeconds,
  );
  fromBacklog(
    'hookline_deliveries_held',
    "Deliveries held while their endpoint's circuit is open.",
    (s) => s.held,
  );
  fromBacklog(
    'hookline_endpoint_circuits_open',
    'Endpoints whose circuit breaker is open or half open: their deliveries are held.',
    (s) => s.openCircuits,
  );
  fromBacklog(
    'hookline_webhooks_disabled',
    'Webhooks that are disabled (and not deleted).',
    (s) => s.disabledWebhooks,
  );

  const { pool } = options;
  const fromPool = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  fromPool(
    'hookline_db_pool_connections',
    'Connections this process holds open to PostgreSQL.',
    () => pool.totalCount,
  );
  fromPool(
    'hookline_db_pool_max_connections',
    'The most connections this process may open (HOOKLINE_DB_POOL_SIZE).',
    () => pool.options.max,
  );
  fromPool(
    'hookline_db_pool_idle_connections',
    'Open connections not in use.',
    () => pool.idleCount,
  );
  fromPool(
    'hookline_db_pool_waiting_requests',
    'Queries waiting for a free connection: above 0 for long, the pool is too small.',
    () => pool.waitingCount,
  );
}
