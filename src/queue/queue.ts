import type pg from 'pg';
import { PgBoss } from 'pg-boss';
import type { DatabaseMode } from '../db/connect.ts';
import type { Logger } from '../shared/logger.ts';
import { deliveryJob } from './jobs.ts';

export type Queue = PgBoss;

export interface QueueOptions {
  pool: pg.Pool;
  mode: DatabaseMode;
  /** Only workers run pg-boss maintenance (expiry, retention); API processes only enqueue. */
  supervise: boolean;
  /** How long a fetched job may stay active before another worker may take it. */
  expireInSeconds: number;
  /** How long finished jobs are kept: the retention window of attempts and events (0: always). */
  deleteAfterSeconds: number;
  logger: Logger;
}

/**
 * How long jobs live, from the settings they follow: a fetched job expires once its request
 * could have timed out (plus a margin for recording the attempt), and finished jobs are kept as
 * long as the attempts and events they belong to.
 */
export function jobLifetimes(settings: {
  delivery: { requestTimeoutMs: number };
  retention: { days: number };
}): Pick<QueueOptions, 'expireInSeconds' | 'deleteAfterSeconds'> {
  return {
    expireInSeconds: Math.ceil(settings.delivery.requestTimeoutMs / 1000) + 15,
    deleteAfterSeconds: Math.round(settings.retention.days * 86_400),
  };
}

/**
 * pg-boss on our own pool: in embedded mode that pool is PGlite's single connection, which must
 * be shared (a second session does not exist); on PostgreSQL it saves connections.
 */
export async function startQueue(options: QueueOptions): Promise<Queue> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => options.pool.query(text, values as unknown[]) },
    schema: 'pgboss',
    backend: options.mode === 'embedded' ? 'pglite' : 'postgres',
    supervise: options.supervise,
    // Expired jobs (a killed worker's) are found by the supervisor: look often so they move on fast.
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
    // Hookline traces its own work and carries an event's trace context on the event row, not
    // on jobs: retries and admissions create jobs far from the emit (docs/operations.md#tracing).
    openTelemetry: { enabled: false },
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'pg-boss error'));
  boss.on('warning', (warning) => options.logger.warn({ warning }, 'pg-boss warning'));
  await boss.start();
  await boss.createQueue(deliveryJob.name, {
    // pg-boss retries only what a crash or shutdown left unfinished; the retry schedule of a
    // receiver's failures is ours, kept on the delivery row.
    retryLimit: 20,
    retryDelay: 0,
    expireInSeconds: options.expireInSeconds,
    deleteAfterSeconds: options.deleteAfterSeconds,
  });
  // createQueue leaves an existing queue as it was: settings that follow the configuration are
  // applied on every start.
  await boss.updateQueue(deliveryJob.name, {
    expireInSeconds: options.expireInSeconds,
    deleteAfterSeconds: options.deleteAfterSeconds,
  });
  return boss;
}
