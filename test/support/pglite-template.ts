import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `--test-global-setup` of `npm run test:pglite`: creating a PGlite cluster (its initdb) takes
 * most of a test server's start, so it is done once per run, and each test file's data folder
 * starts as a copy of it (test/support/database.ts). Only the cluster: every server still
 * migrates its own database, as a fresh install does. The folder is handed to the test files,
 * which run in child processes, through the environment.
 */
export const TEMPLATE_ENV = 'TEST_PGLITE_TEMPLATE';

export async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookline_pglite_template_'));
  // Imported here: test files import this module for the name alone.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({ dataDir: join(dir, 'pgdata') });
  await pglite.close();
  process.env[TEMPLATE_ENV] = dir;
}

export async function globalTeardown(): Promise<void> {
  const dir = process.env[TEMPLATE_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
