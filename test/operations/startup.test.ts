import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migrationNames } from '../support/migrations.ts';
import { killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

let database: TestDatabase | undefined;
after(async () => {
  await killAllProcesses();
  await database?.drop();
});

test('API and worker processes started together on a fresh database all come up, and set it up once', async () => {
  database = await createTestDatabase('startup');
  const settings = { DATABASE_URL: database.url, HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY };
  // All at once: each would migrate, register the operator key and install pg-boss's schema.
  const processes = await Promise.all(
    ['api', 'api', 'worker', 'worker'].map((role) =>
      startHooklineProcess({ ...settings, HOOKLINE_ROLE: role }),
    ),
  );
  await Promise.all(processes.map((p) => p.waitReady()));
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const keys = await client.query(
      `select count(*)::int as n from api_keys where role = 'operator'`,
    );
    assert.equal(keys.rows[0].n, 1);
    const migrations = await client.query(`select count(*)::int as n from kysely_migration`);
    assert.equal(migrations.rows[0].n, migrationNames().length);
  } finally {
    await client.end();
  }
  const applied = processes.filter((p) => p.output().includes('applied database migrations'));
  assert.equal(applied.length, 1, 'one process applied the migrations');
  for (const p of processes) assert.equal(await p.stop(), 0, p.output());
});
