import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import { type DatabaseHandle, openDatabase } from '../db/connect.ts';
import type { Database } from '../db/database.ts';
import { isFullyMigrated } from '../db/migrate.ts';
import { createLogger, type Logger } from '../shared/logger.ts';

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

export async function openCliDatabase(
  config: Config,
  logger: Logger,
  options: { requireMigrated?: boolean } = {},
): Promise<DatabaseHandle> {
  const database = await openDatabase(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
      applicationName: 'hookline-cli',
    },
    logger,
  );
  if (options.requireMigrated ?? true) {
    const migrated = await isFullyMigrated(database.db).catch(() => false);
    if (!migrated) {
      await database.close();
      throw new Error('The database is not migrated: run `hookline migrate` first.');
    }
  }
  return database;
}

/** Runs `work` on an open database and closes it, whatever happens. */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (database: DatabaseHandle, db: Kysely<Database>) => Promise<T>,
  options?: { requireMigrated?: boolean },
): Promise<T> {
  const database = await openCliDatabase(config, logger, options);
  try {
    return await work(database, database.db);
  } finally {
    await database.close();
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
