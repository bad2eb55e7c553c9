import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateOrganizationDocument,
  createHooklineClient,
  DeliveryAttemptsDocument,
  type DeliveryAttemptsSubscription,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Collector, collect, mapItems } from '../support/live.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';

/**
 * Scale-out as deployed: two `api` processes and one `worker` process (`node src/main.ts`) on
 * one PostgreSQL database. Nothing is shared between them but the database, so a subscriber on
 * API 2 can only hear of the worker's attempts through LISTEN/NOTIFY, and API 2 must keep
 * hearing after its listening connection is killed.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN_KEY = 'multi-process-operator-key-0123456789';
const READY_TIMEOUT_MS = 60_000;

type Attempt = DeliveryAttemptsSubscription['deliveryAttempts'];

interface Child {
  name: string;
  process: ChildProcess;
  url: string;
  output(): string;
}

let database: TestDatabase;
let admin: pg.Client;
let receiver: Receiver;
const children: Child[] = [];
const clients: HooklineClient[] = [];

before(async () => {
  database = await createTestDatabase('multi_process');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  receiver = await startReceiver();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
    }
  }
  await Promise.all(children.map((child) => exited(child.process)));
  await admin?.end();
  await receiver?.close();
  await database?.drop();
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => child.once('exit', () => ok()));
}

/** A port nobody listens on right now: the child must be told its port up front. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

async function startChild(name: string, role: 'api' | 'worker'): Promise<Child> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Whatever the developer's shell carries must not reach the child; NODE_TEST_CONTEXT would
  // make it talk the test runner's protocol.
  for (const key of Object.keys(env)) {
    if (key.startsWith('HOOKLINE_') || key.startsWith('PG')) delete env[key];
  }
  delete env.NODE_TEST_CONTEXT;
  delete env.HOST;
  Object.assign(env, {
    DATABASE_URL: database.url,
    PORT: String(port),
    HOOKLINE_ROLE: role,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    HOOKLINE_DB_POOL_SIZE: '4',
    LOG_LEVEL: 'info',
  });
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const started: Child = {
    name,
    process: child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
  };
  children.push(started);
  await waitReady(started);
  return started;
}

/** Polls /readyz until 200; fails at once if the child dies first. */
async function waitReady(child: Child): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      assert.fail(`${child.name} exited before it was ready:\n${child.output()}`);
    }
    const status = await fetch(`${child.url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((res) => res.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`${child.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${child.output()}`);
}

/** Backends of this database's LISTEN connections (one per Hookline process). */
async function listenerPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity
      where datname = $1 and application_name = 'hookline-listener'
        and state = 'idle' and query ilike 'LISTEN %'
      order by pid`,
    [database.name],
  );
  return rows.map((row) => row.pid);
}

function client(url: string, apiKey: string): HooklineClient {
  const c = createHooklineClient({ url, apiKey });
  clients.push(c);
  return c;
}

test('two api processes and a worker: a subscriber on API 2 hears of attempts of events emitted on API 1, across a lost LISTEN connection', {
  timeout: 180_000,
}, async (t) => {
  const api1 = await startChild('api 1', 'api');
  const worker = await startChild('worker', 'worker');
  const before = await eventually(
    async () => {
      const pids = await listenerPids();
      return pids.length === 2 ? pids : undefined;
    },
    { message: 'the listeners of API 1 and the worker' },
  );
  const api2 = await startChild('api 2', 'api');
  // The listener that appeared with API 2 is API 2's.
  const api2Listener = await eventually(
    async () => {
      const added = (await listenerPids()).filter((pid) => !before.includes(pid));
      return added.length === 1 ? added[0] : undefined;
    },
    { message: "API 2's listener" },
  );

  const created = await client(api1.url, ADMIN_KEY).request(CreateOrganizationDocument, {
    input: { name: 'Scaled Co' },
  });
  const apiKey = created.createOrganization.apiKey;
  const onApi1 = client(api1.url, apiKey);
  const { agentId, webhookId } = await agentWithWebhook(onApi1, receiver.url);
  const emit = async () =>
    (
      await onApi1.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
      })
    ).emitEvent.event.id;

  const feed: Collector<Attempt> = collect(
    mapItems(
      client(api2.url, apiKey).subscribe(DeliveryAttemptsDocument, { webhookId }),
      (d) => d.deliveryAttempts,
    ),
  );
  try {
    await t.test('the subscription on API 2 gets the worker’s attempt', async () => {
      // The client cannot see when API 2 has registered the subscription; events are emitted
      // until one comes through. After that, every later one must.
      const probes: string[] = [];
      await eventually(
        async () => {
          probes.push(await emit());
          await new Promise((ok) => setTimeout(ok, 250));
          return feed.items.length > 0 ? true : undefined;
        },
        { intervalMs: 0, message: 'a first attempt on API 2' },
      );
      assert.ok(probes.includes(feed.items[0]!.delivery.event.id));

      const eventId = await emit();
      const attempt = await feed.waitFor((a) => a.delivery.event.id === eventId, 'the attempt');
      assert.equal(attempt.delivery.webhook.id, webhookId);
      assert.equal(attempt.delivery.event.agent?.id, agentId);
      assert.equal(attempt.responseStatus, 200);
      assert.ok(
        receiver.requests.some((req) => req.headers['webhook-id'] === attempt.delivery.id),
        'the receiver got that delivery (from the worker: the api processes do not deliver)',
      );
    });

    await t.test(
      'after its LISTEN connection is killed, API 2 reconnects and the same subscription goes on',
      async () => {
        const { rows } = await admin.query<{ ok: boolean }>(
          'select pg_terminate_backend($1) as ok',
          [api2Listener],
        );
        assert.equal(rows[0]?.ok, true);
        await eventually(
          async () => {
            const now = await listenerPids();
            const fresh = now.filter((pid) => !before.includes(pid));
            return !now.includes(api2Listener!) && fresh.length === 1 ? true : undefined;
          },
          { message: "API 2's listener to be back" },
        );
        const eventId = await emit();
        const attempt = await feed.waitFor(
          (a) => a.delivery.event.id === eventId,
          'the attempt after reconnecting',
        );
        assert.equal(attempt.delivery.webhook.id, webhookId);
        assert.equal(feed.ended, false, 'the client never had to subscribe again');
        assert.match(api2.output(), /LISTEN connection restored/);
      },
    );
  } finally {
    await feed.stop();
  }
  for (const child of [api1, worker, api2]) {
    assert.equal(child.process.exitCode, null, `${child.name} is still running`);
  }
});
