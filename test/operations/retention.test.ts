import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EmitEventDocument, type HooklineClient } from '@hookline/client';
import pg from 'pg';
import { purgeExpiredRows } from '../../src/retention/purge.ts';
import { createRetentionScheduler } from '../../src/retention/retention-scheduler.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

let server: TestServer;
let sql: pg.Client;
let okReceiver: Receiver;
let laterReceiver: Receiver;
let client: HooklineClient;
let okAgent: string;
let laterAgent: string;

before(async () => {
  // Retention off in this process: the tests run the purge themselves, or in a worker process.
  server = await startTestServer('retention', { HOOKLINE_RETENTION_DAYS: '0' });
  sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
  okReceiver = await startReceiver();
  // Told to come back in an hour: its delivery stays PENDING.
  laterReceiver = await startReceiver((_req, res) => {
    res.writeHead(429, { 'retry-after': '3600' });
    res.end();
  });
  ({ client } = await server.newOrganization());
  okAgent = (await agentWithWebhook(client, okReceiver.url, ['PRE_CONVERSATION'])).agentId;
  laterAgent = (await agentWithWebhook(client, laterReceiver.url, ['PRE_CONVERSATION'])).agentId;
});
after(async () => {
  await killAllProcesses();
  await sql.end();
  await okReceiver.close();
  await laterReceiver.close();
  await server.stop();
});

async function emit(agentId: string): Promise<string> {
  const { emitEvent } = await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });
  return emitEvent.event.id;
}

/** Emits events and waits until each delivery has had its first attempt recorded. */
async function emitAndAttempt(agentId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await emit(agentId));
  await eventually(async () => {
    const { rows } = await sql.query(
      `select count(distinct d.id)::int as n from deliveries d
       join delivery_attempts a on a.delivery_id = d.id where d.event_id = any($1)`,
      [ids],
    );
    return rows[0].n === count ? true : undefined;
  });
  return ids;
}

/** Moves events, and everything that happened to them, `days` into the past. */
async function age(eventIds: string[], days: number): Promise<void> {
  await sql.query(
    `update events set created_at = created_at - make_interval(days => $2) where id = any($1)`,
    [eventIds, days],
  );
  await sql.query(
    `update delivery_attempts set created_at = created_at - make_interval(days => $2),
       started_at = started_at - make_interval(days => $2)
     where delivery_id in (select id from deliveries where event_id = any($1))`,
    [eventIds, days],
  );
}

async function remaining(eventIds: string[]) {
  const { rows } = await sql.query<{ events: number; deliveries: number; attempts: number }>(
    `select
       (select count(*)::int from events where id = any($1)) as events,
       (select count(*)::int from deliveries where event_id = any($1)) as deliveries,
       (select count(*)::int from delivery_attempts a join deliveries d on d.id = a.delivery_id
         where d.event_id = any($1)) as attempts`,
    [eventIds],
  );
  return rows[0]!;
}

test('old attempts and events go in batches, with their deliveries; recent rows and pending deliveries stay', async () => {
  const old = await emitAndAttempt(okAgent, 5);
  const oldPending = await emitAndAttempt(laterAgent, 1);
  const recent = await emitAndAttempt(okAgent, 2);
  await age([...old, ...oldPending], 40);
  await age(recent, 29);

  // Batches of two: three statements for five old attempts, three for five old events.
  const result = await purgeExpiredRows(server.hookline.database.db, {
    olderThanDays: 30,
    batchSize: 2,
    pauseMs: 0,
  });
  assert.equal(result.attempts, 5);
  assert.equal(result.events, 5);
  assert.deepEqual(await remaining(old), { events: 0, deliveries: 0, attempts: 0 });
  // The pending delivery still needs its event; its old attempt stays with it.
  assert.deepEqual(await remaining(oldPending), { events: 1, deliveries: 1, attempts: 1 });
  assert.deepEqual(await remaining(recent), { events: 2, deliveries: 2, attempts: 2 });

  // A second run finds nothing more.
  const again = await purgeExpiredRows(server.hookline.database.db, { olderThanDays: 30 });
  assert.deepEqual([again.attempts, again.events], [0, 0]);
});

test('ended portal sessions and what a dead listener left go too, live ones stay', async () => {
  const { organizationId } = await server.newOrganization('Ended rows');
  const { webhookId } = await agentWithWebhook(client, okReceiver.url, ['PRE_CONVERSATION']);
  const { rows } = await sql.query<{ organization_id: string }>(
    'select organization_id from webhooks where id = $1',
    [webhookId],
  );
  const webhookOrg = rows[0]!.organization_id;
  const session = (id: string, expires: string, revoked: string | null) =>
    sql.query(
      `insert into portal_sessions (id, organization_id, role, token_hash, created_by, expires_at, revoked_at)
       values ($1, $2, 'VIEWER', $1, 'operator', now() + $3::interval, now() + $4::interval)`,
      [id, organizationId, expires, revoked],
    );
  await session('psn_expired', '-2 days', null);
  await session('psn_revoked', '1 hour', '-2 days');
  await session('psn_live', '1 hour', null);
  await session('psn_just_expired', '-1 hour', null);
  const exchange = (id: string, expires: string) =>
    sql.query(
      `insert into listener_exchanges (id, organization_id, webhook_id, delivery_id, request_headers, body, expires_at)
       values ($1, $2, $3, 'dlv_x', '{}', '{}', now() + $4::interval)`,
      [id, webhookOrg, webhookId, expires],
    );
  await exchange('lxc_left', '-2 hours');
  await exchange('lxc_waiting', '10 seconds');
  const listener = (id: string, seen: string) =>
    sql.query(
      `insert into listener_sessions (id, organization_id, webhook_id, seen_at)
       values ($1, $2, $3, now() + $4::interval)`,
      [id, webhookOrg, webhookId, seen],
    );
  await listener('lsn_dead', '-2 hours');
  await listener('lsn_live', '-10 seconds');

  const result = await purgeExpiredRows(server.hookline.database.db, { olderThanDays: 30 });
  assert.equal(result.ended, 4);
  const left = await sql.query<{ id: string }>(
    `select id from portal_sessions where organization_id = $1
     union all select id from listener_exchanges where webhook_id = $2
     union all select id from listener_sessions where webhook_id = $2 order by id`,
    [organizationId, webhookId],
  );
  assert.deepEqual(
    left.rows.map((r) => r.id),
    ['lsn_live', 'lxc_waiting', 'psn_just_expired', 'psn_live'],
  );
});

test('one purge at a time per database: a process that finds the lock taken skips its round', async () => {
  const logger = createLogger({ level: 'silent' });
  const scheduler = createRetentionScheduler({
    db: server.hookline.database.db,
    mode: 'postgres',
    logger,
    days: 30,
    intervalMs: 3_600_000,
  });
  await sql.query(`select pg_advisory_lock(hashtext('hookline:retention'))`);
  try {
    assert.equal(await scheduler.runOnce(), 'busy');
  } finally {
    await sql.query(`select pg_advisory_unlock(hashtext('hookline:retention'))`);
  }
  const result = await scheduler.runOnce();
  assert.notEqual(result, 'busy');
  await scheduler.stop();
});

test('a worker process purges in the background, and pg-boss keeps finished jobs as long', async () => {
  const old = await emitAndAttempt(okAgent, 3);
  const recent = await emitAndAttempt(okAgent, 1);
  await age(old, 8);
  const worker = await startHooklineProcess({
    DATABASE_URL: server.database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ROLE: 'worker',
    HOOKLINE_RETENTION_DAYS: '7',
    HOOKLINE_RETENTION_INTERVAL_SECONDS: '1',
  });
  await worker.waitReady();
  // The log line comes once the whole round is over (ended rows are purged after the events).
  await eventually(() => (/retention: purged old rows/.test(worker.output()) ? true : undefined), {
    message: 'the worker to finish a purge round',
  });
  assert.deepEqual(await remaining(old), { events: 0, deliveries: 0, attempts: 0 });
  assert.deepEqual(await remaining(recent), { events: 1, deliveries: 1, attempts: 1 });
  const { rows } = await sql.query(
    `select deletion_seconds from pgboss.queue where name = 'hookline-delivery'`,
  );
  assert.equal(rows[0].deletion_seconds, 7 * 86_400);
  assert.equal(await worker.stop(), 0);
});
