import type { DatabaseHandle } from './connect.ts';

/**
 * Runs one-time set-up (our migrations, the operator key, pg-boss's own schema) under a session
 * advisory lock, so that processes started together on a fresh database take turns instead of
 * racing: without it, two of them both create pg-boss's schema or insert the same operator key,
 * and one exits with a unique violation. On a database already set up, the lock is held for the
 * few milliseconds it takes to find nothing to do. Embedded mode is one process: no lock.
 *
 * The lock lives on a connection of the pool, held while `work` runs on the others (the pool has
 * at least two on PostgreSQL); the session ending releases it should the process die.
 */
export async function withBootstrapLock<T>(
  database: DatabaseHandle,
  work: () => Promise<T>,
): Promise<T> {
  if (database.mode === 'embedded') return work();
  const session = await database.pool.connect();
  try {
    await session.query(`select pg_advisory_lock(hashtext('hookline:bootstrap'))`);
    try {
      return await work();
    } finally {
      await session.query(`select pg_advisory_unlock(hashtext('hookline:bootstrap'))`);
    }
  } finally {
    session.release();
  }
}
