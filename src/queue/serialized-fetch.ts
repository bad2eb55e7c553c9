import type pg from 'pg';
import type { Db as BossDb } from 'pg-boss';

/** The advisory lock under which every worker fetches delivery jobs ('hkln' in ASCII). */
export const FETCH_LOCK_KEY = 0x686b6c6e;

/**
 * A connection for pg-boss's fetch that runs it alone: in a transaction that first takes a
 * transaction-scoped advisory lock, so the fetch's snapshot includes every claim committed
 * before it. pg-boss's global group concurrency counts each group's active jobs in that
 * snapshot; two workers fetching at the same moment would each count the other's claims as
 * free slots and together go over an endpoint's limit (measured: 4 in flight with a limit of 3
 * across two workers). Serialized, the limit holds exactly. The cost is two round trips per
 * fetch; a fetch claims a whole batch, so it is small beside the attempts it starts.
 */
export function serializedFetchDb(pool: pg.Pool): BossDb {
  return {
    async executeSql(text, values) {
      const client = await pool.connect();
      try {
        await client.query(`begin; select pg_advisory_xact_lock(${FETCH_LOCK_KEY})`);
        const result = await client.query(text, values as unknown[]);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
