import pg from 'pg';

/**
 * Committed transactions of one database, from pg_stat_database. Backends report their counts
 * when idle, at most every second and at the latest after PGSTAT_IDLE_INTERVAL (10 s), so a
 * reading is only complete once the system has been quiet for that long.
 */
export const STATS_SETTLE_MS = 11_000;

export async function committedTransactions(adminUrl: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      'select xact_commit::bigint as n from pg_stat_database where datname = $1',
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
