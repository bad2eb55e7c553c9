import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { Database } from './database.ts';

const MIGRATIONS_FOLDER = path.join(import.meta.dirname, '..', '..', 'migrations');

export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_FOLDER }),
  });
}

export class MigrationFailedError extends Error {
  readonly migrationName: string | undefined;
  constructor(result: MigrationResultSet) {
    const failed = result.results?.find((r) => r.status === 'Error');
    super(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
    this.name = 'MigrationFailedError';
    this.migrationName = failed?.migrationName;
  }
}

/** Applies pending migrations; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const result = await createMigrator(db).migrateToLatest();
  if (result.error) throw new MigrationFailedError(result);
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration in the folder has been applied. */
export async function isFullyMigrated(db: Kysely<Database>): Promise<boolean> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
