import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { TEMPLATE_ENV } from './pglite-template.ts';
import { dbOf, type ServerDb } from './server-db.ts';

/**
 * Each test file gets a database of its own, named after the file, so files run in parallel
 * without seeing each other: a database on the machine's PostgreSQL, or with
 * TEST_DATABASE=pglite (`npm run test:pglite`) a data folder of embedded PGlite, the
 * server's default when DATABASE_URL is unset. A file with a failed test keeps its database
 * (and says so); TEST_KEEP_DATABASES=1 keeps every one. docs/architecture.md#tests says how to
 * find and drop them.
 */
export const ADMIN_URL =
  process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDatabaseKind = 'postgres' | 'pglite';

/** Which database this run's test servers use. */
export const TEST_DATABASE_KIND: TestDatabaseKind =
  process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres';

/** Given as a test's `skip` option: why it cannot run on PGlite, or false when it can. */
export const needsPostgres = (reason: string): string | false =>
  TEST_DATABASE_KIND === 'pglite' && `needs PostgreSQL: ${reason}`;

/** Databases and data folders start with this; a kept one is found by it. */
export const TEST_DATABASE_PREFIX = 'hookline_test_';

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** The PostgreSQL database's name, or the PGlite data folder's path. */
  name: string;
  /** The settings that point a Hookline at it (DATABASE_URL, or HOOKLINE_DATA_DIR). */
  env: Record<string, string>;
  /** A connection URL of its own: PostgreSQL only (PGlite's one session is its server's). */
  url: string;
  drop(): Promise<void>;
}

/**
 * Whether a test of this file failed: the file's databases are then kept for inspection. One
 * test file runs in one process, so the flag is the file's. Registered only under the test
 * runner: the bench imports this module too.
 */
const failures = { any: false };
if (process.env.NODE_TEST_CONTEXT || process.execArgv.includes('--test')) {
  afterEach((t) => {
    // Each test's own context, not a suite's, is what an afterEach hook is given.
    if ('passed' in t && !t.passed) failures.any = true;
  });
}

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Keeps the database when the file had a failure (or when asked to), and says where it is. */
async function dropUnlessKept(name: string, drop: () => Promise<void>): Promise<void> {
  if (process.env.TEST_KEEP_DATABASES) return;
  if (failures.any) {
    console.error(`kept the test database of a failed test: ${name}`);
    return;
  }
  await drop();
}

export async function createTestDatabase(
  label: string,
  { kind = TEST_DATABASE_KIND }: { kind?: TestDatabaseKind } = {},
): Promise<TestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return kind === 'pglite' ? pgliteDatabase(safe) : postgresDatabase(safe);
}

async function postgresDatabase(safe: string): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${safe}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  return {
    kind: 'postgres',
    name,
    url,
    env: { DATABASE_URL: url },
    drop: () =>
      dropUnlessKept(name, async () => {
        const client = new pg.Client({ connectionString: ADMIN_URL });
        await client.connect();
        try {
          await client.query(`drop database if exists "${name}" with (force)`);
        } finally {
          await client.end();
        }
      }),
  };
}

function pgliteDatabase(safe: string): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), `${TEST_DATABASE_PREFIX}${safe}_`));
  const template = process.env[TEMPLATE_ENV];
  if (template) cpSync(join(template, 'pgdata'), join(dir, 'pgdata'), { recursive: true });
  return {
    kind: 'pglite',
    name: dir,
    get url(): string {
      throw new Error(
        'a PGlite test database has no connection of its own: query through the server ' +
          '(test/support/server-db.ts), or skip the test with needsPostgres(reason)',
      );
    },
    env: { HOOKLINE_DATA_DIR: dir },
    drop: () => dropUnlessKept(dir, async () => rmSync(dir, { recursive: true, force: true })),
  };
}

const TABLES = [
  'organizations',
  'api_keys',
  'agents',
  'webhooks',
  'webhook_subscriptions',
  'events',
  'deliveries',
  'delivery_attempts',
  'portal_sessions',
  'call_setups',
] as const;

/** Row counts of every Hookline table: a bad request must leave them all unchanged. */
export async function countRows(source: ServerDb): Promise<Record<string, number>> {
  const db = dbOf(source);
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    counts[table] = rows[0]!.n;
  }
  return counts;
}
