import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import type { Database } from './database.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export type DatabaseMode = 'postgres' | 'embedded';

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  mode: DatabaseMode;
  /** For the things that need a connection of their own (LISTEN). */
  connectionString: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize: number;
  applicationName?: string;
}

// COUNT(*) and other int8 values fit comfortably in a JS number for our sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export async function openDatabase(
  options: DatabaseOptions,
  logger: Logger,
): Promise<DatabaseHandle> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir);
  const connectionString = options.databaseUrl ?? embedded!.connectionString;
  if (embedded) logger.info({ dataDir: options.dataDir }, 'using embedded PGlite database');

  const pool = new pg.Pool({
    connectionString,
    // PGlite serves one session: a second connection would share (and corrupt) its transaction.
    max: embedded ? 1 : options.poolSize,
    application_name: options.applicationName ?? 'hookline',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (a database restart) must not crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  // The pool listens only to idle clients. A checked-out one (held by a transaction between two
  // queries) that loses its server would emit an unhandled 'error' and end the process; with
  // this listener its next query fails instead, and the pool discards it when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.debug({ err: error }, 'database connection lost'));
  });

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    mode: embedded ? 'embedded' : 'postgres',
    connectionString,
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
