import { createHooklineClient, type HooklineClient } from '@hookline/client';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Database } from '../db/database.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import {
  findRunningServer,
  type RunningServer,
  ServerHoldsDatabaseError,
} from './running-server.ts';

/** A command line mistake: the message says what to type instead (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a command needs to talk to the operator. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * The CLI logs to stderr (stdout is for results, which `--json` makes machine-readable) and
 * only warnings unless LOG_LEVEL asks for more detail.
 */
export function cliLogger(config: Config): Logger {
  const level = ['debug', 'trace'].includes(config.logLevel) ? config.logLevel : 'warn';
  return createLogger({ level, destination: process.stderr });
}

export interface DatabaseOptions {
  /** Refuse a database with pending migrations (default true). */
  requireMigrated?: boolean;
  /** What to say when a server has the embedded database open: the command, and what instead. */
  besideServer?: { command: string; instead: (server: RunningServer) => string };
}

/**
 * Runs `work` on the database opened here, and closes it, whatever happens. The drivers (pg,
 * PGlite) and the migrator load only now: commands that go through a running server skip them.
 */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (database: DatabaseHandle, db: Kysely<Database>) => Promise<T>,
  options: DatabaseOptions = {},
): Promise<T> {
  const server = await findRunningServer(config);
  if (server) {
    const { command = 'this command', instead = () => '' } = options.besideServer ?? {};
    throw new ServerHoldsDatabaseError(command, server, instead(server));
  }
  const { openDatabase } = await import('../db/connect.ts');
  const database = await openDatabase(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
      applicationName: 'hookline-cli',
    },
    logger,
  );
  try {
    if (options.requireMigrated ?? true) {
      const { isFullyMigrated } = await import('../db/migrate.ts');
      if (!(await isFullyMigrated(database.db).catch(() => false))) {
        throw new Error('The database is not migrated: run `hookline migrate` first.');
      }
    }
    return await work(database, database.db);
  } finally {
    await database.close();
  }
}

/** The two ways a command that the API also offers can run. */
export interface Routes<T> {
  /** Through the running server's GraphQL API, as the operator (see local-access.ts). */
  server(api: HooklineClient): Promise<T>;
  /** On the database opened here: PostgreSQL, or an embedded folder no server holds. */
  database(db: Kysely<Database>, database: DatabaseHandle): Promise<T>;
}

/**
 * Runs a command where its data is: through the server that has the embedded database open, if
 * one has, else on the database itself. Through the server it answers in a fraction of a second;
 * opening PGlite alone takes seconds.
 */
export async function viaServerOrDatabase<T>(
  config: Config,
  logger: Logger,
  routes: Routes<T>,
): Promise<T> {
  const server = await findRunningServer(config);
  if (!server) return withDatabase(config, logger, (database, db) => routes.database(db, database));
  const api = createHooklineClient({ url: server.url, apiKey: server.key });
  try {
    return await routes.server(api);
  } finally {
    await api.close();
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
