import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CreateOrganizationDocument,
  createHooklineClient,
  DeliveryAttemptsDocument,
  type DeliveryAttemptsSubscription,
  DeliveryUpdatedDocument,
  type DeliveryUpdatedSubscription,
  EmitEventDocument,
  type HooklineClient,
  HooklineRequestError,
} from '@hookline/client';
import pg from 'pg';
import { ulid } from 'ulidx';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Collector, collect, mapItems } from '../support/live.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';

/**
 * Live feeds resume without a gap: an `api` process and a `worker` process (`node src/main.ts`)
 * on one PostgreSQL database, so the subscribers hear of attempts only through LISTEN/NOTIFY.
 * Deliveries flow while a subscriber is cut off (by itself, or under the typed client, or by the
 * API process losing its LISTEN connection); at the end, what it received is compared with
 * what the database holds: every attempt, exactly once.
 */
type Attempt = DeliveryAttemptsSubscription['deliveryAttempts'];
type DeliveryUpdate = DeliveryUpdatedSubscription['deliveryUpdated'];

const ADMIN_KEY = 'resume-operator-key-0123456789abcdef';
/** Two processes on one database: the embedded database is one process's. */
const skip = needsPostgres('an api and a worker process on one database, heard through LISTEN');
const EVENTS = 100;

let database: TestDatabase;
let admin: pg.Client;
let receiver: Receiver;
let api: HooklineProcess;
const clients: HooklineClient[] = [];

before(async () => {
  if (skip) return;
  database = await createTestDatabase('live_resume');
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  receiver = await startReceiver();
  const common = {
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8,::1/128',
    HOOKLINE_DB_POOL_SIZE: '5',
    HOOKLINE_ENCRYPTION_KEY: 'e'.repeat(64),
    LOG_LEVEL: 'warn',
  };
  // One at a time: the first migrates.
  api = await startHooklineProcess({ ...common, HOOKLINE_ROLE: 'api' });
  await api.waitReady();
  const worker = await startHooklineProcess({ ...common, HOOKLINE_ROLE: 'worker' });
  await worker.waitReady();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await receiver?.close();
  await admin?.end();
  await database?.drop();
});

function client(apiKey: string, url = api.url): HooklineClient {
  const c = createHooklineClient({ url, apiKey });
  clients.push(c);
  return c;
}

/** A new organization with an agent and a webhook to the receiver. */
async function organization() {
  const operator = client(ADMIN_KEY);
  const created = await operator.request(CreateOrganizationDocument, {
    input: { name: `Resume ${ulid()}` },
  });
  const apiKey = created.createOrganization.apiKey;
  const org = client(apiKey);
  const { agentId, webhookId } = await agentWithWebhook(org, receiver.url, ['PRE_CONVERSATION']);
  return { apiKey, client: org, agentId, webhookId };
}

/**
 * Emits events until the feed has received something: then its subscriber is registered, and
 * everything emitted from now on must reach it. Returns how many events it emitted.
 */
async function warmUp(org: HooklineClient, agentId: string, feed: Collector<unknown>) {
  for (let n = 1; ; n++) {
    await emitMany(org, agentId, 1);
    const arrived = await eventually(() => (feed.items.length > 0 ? true : undefined), {
      message: 'a warm-up item',
      timeoutMs: 1_000,
    }).catch(() => false);
    if (arrived) return n;
    assert.ok(n < 20, 'the subscription never received anything');
  }
}

/** Emits `count` events one after the other, in the background. */
function emitMany(org: HooklineClient, agentId: string, count: number): Promise<void> {
  return (async () => {
    for (let i = 0; i < count; i++) {
      await org.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(`call_${i}`) },
      });
    }
  })();
}

async function attemptIdsOf(webhookId: string): Promise<string[]> {
  const { rows } = await admin.query<{ id: string }>(
    'select id from delivery_attempts where webhook_id = $1 order by id',
    [webhookId],
  );
  return rows.map((row) => row.id);
}

/**
 * Waits for all `count` attempts to be recorded, then for `received()` to hold each of them
 * from the first it received on (attempts of warm-up events before it subscribed do not count).
 */
async function expectEveryAttemptOnce(
  webhookId: string,
  count: number,
  received: () => Attempt[],
): Promise<void> {
  const all = await eventually(
    async () => {
      const ids = await attemptIdsOf(webhookId);
      return ids.length >= count ? ids : undefined;
    },
    { message: `${count} attempts recorded`, timeoutMs: 60_000 },
  );
  const firstReceived = received()[0]!.id;
  const recorded = all.filter((id) => id >= firstReceived);
  await eventually(() => (received().length >= recorded.length ? true : undefined), {
    message: `${recorded.length} attempts received (now ${received().length})`,
    timeoutMs: 30_000,
  });
  const ids = received().map((a) => a.id);
  assert.equal(new Set(ids).size, ids.length, 'no attempt was received twice');
  assert.deepEqual([...ids].sort(), recorded, 'every attempt was received');
}

const attemptsOf = (iterator: AsyncIterableIterator<DeliveryAttemptsSubscription>) =>
  collect(mapItems(iterator, (d) => d.deliveryAttempts));

/** The greatest of some ids (they sort as strings). */
const greatest = (ids: string[]) => [...ids].sort().at(-1)!;

describe('deliveryAttempts(after:)', { skip }, () => {
  test('a subscriber closed mid-flow and back with after gets every attempt once, replayed in order', async () => {
    const org = await organization();
    const first = attemptsOf(
      org.client.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId }),
    );
    const warmUps = await warmUp(org.client, org.agentId, first);
    const emitting = emitMany(org.client, org.agentId, EVENTS);
    await eventually(() => (first.items.length >= 30 ? true : undefined), {
      message: '30 attempts before the cut',
      timeoutMs: 30_000,
    });
    await first.stop();
    const seen = [...first.items];
    const last = greatest(seen.map((a) => a.id));
    // Attempts recorded while nobody listened: the second subscription must replay them.
    const missed = await eventually(
      async () => {
        const ids = (await attemptIdsOf(org.webhookId)).filter((id) => id > last);
        return ids.length > 0 ? ids : undefined;
      },
      { message: 'attempts recorded after the cut', timeoutMs: 30_000 },
    );

    const second = attemptsOf(
      org.client.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId, after: last }),
    );
    await emitting;
    await expectEveryAttemptOnce(org.webhookId, warmUps + EVENTS, () => [...seen, ...second.items]);
    // The replay comes first and in id order. Everything up to the last of `missed` was replayed
    // (live items come after the replay; one of them may carry an earlier id of the same
    // millisecond, stamped before a later commit, which is why only the replay is checked).
    const ids = second.items.map((a) => a.id);
    const replayed = ids.slice(0, Math.max(...missed.map((id) => ids.indexOf(id))) + 1);
    assert.ok(missed.every((id) => replayed.includes(id)));
    assert.ok(replayed.every((id) => id > last));
    assert.deepEqual(replayed, [...replayed].sort());
    await second.stop();
  });

  test('the typed client resumes by itself when its connection is cut', async () => {
    const org = await organization();
    const proxy = await startProxy(api.port);
    try {
      const viaProxy = client(org.apiKey, proxy.url);
      const feed = attemptsOf(
        viaProxy.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId }),
      );
      const warmUps = await warmUp(org.client, org.agentId, feed);
      const emitting = emitMany(org.client, org.agentId, EVENTS);
      await eventually(() => (feed.items.length >= 20 ? true : undefined), {
        message: '20 attempts before the cut',
        timeoutMs: 30_000,
      });
      proxy.cut();
      await emitting;
      await expectEveryAttemptOnce(org.webhookId, warmUps + EVENTS, () => feed.items);
      assert.ok(proxy.accepted() >= 2, 'the client reconnected');
      assert.equal(feed.ended, false);
      await feed.stop();
    } finally {
      await proxy.close();
    }
  });

  test("the API process's LISTEN connection cut mid-load loses no attempt for its subscribers", async () => {
    const org = await organization();
    const feeds = [1, 2].map(() =>
      attemptsOf(org.client.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId })),
    );
    let warmUps = 0;
    for (const feed of feeds) warmUps += await warmUp(org.client, org.agentId, feed);
    const emitting = emitMany(org.client, org.agentId, EVENTS);
    await eventually(() => (feeds[0]!.items.length >= 20 ? true : undefined), {
      message: '20 attempts before the cut',
      timeoutMs: 30_000,
    });
    // Both processes' listening connections: the API's is the one its subscribers depend on.
    const { rowCount } = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = 'hookline-listener'`,
    );
    assert.ok((rowCount ?? 0) >= 1);
    await emitting;
    for (const feed of feeds) {
      await expectEveryAttemptOnce(org.webhookId, warmUps + EVENTS, () => feed.items);
      assert.equal(feed.ended, false);
      await feed.stop();
    }
    assert.match(api.output(), /LISTEN connection failed/, 'the API process lost its LISTEN');
  });

  test('after older than an hour is refused with RESUME_TOO_FAR', async () => {
    const org = await organization();
    const old = `att_${ulid(Date.now() - 2 * 60 * 60_000)}`;
    const feed = attemptsOf(
      org.client.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId, after: old }),
    );
    await feed.waitForEnd('the refusal');
    assert.ok(feed.error instanceof HooklineRequestError);
    assert.equal(feed.error.code, 'RESUME_TOO_FAR');
    assert.match(feed.error.message, /deliveries query/);
  });

  test('after more than 10,000 attempts back is refused with RESUME_TOO_FAR', async () => {
    const org = await organization();
    await org.client.request(EmitEventDocument, {
      input: { agentId: org.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [last] = await eventually(
      async () => {
        const ids = await attemptIdsOf(org.webhookId);
        return ids.length > 0 ? ids : undefined;
      },
      { message: 'one attempt' },
    );
    // 10,001 more attempts of that delivery, as if they had been recorded after it.
    await admin.query(
      `insert into delivery_attempts (id, organization_id, delivery_id, webhook_id, attempt_number,
         started_at, duration_ms, request_headers)
       select 'att_' || substr($1, 5, 10) || 'ZZZZZZ' || lpad(n::text, 10, '0'), organization_id, delivery_id,
         webhook_id, 1 + n, now(), 1, '{}'::jsonb
       from delivery_attempts, generate_series(1, 10001) as n where id = $1`,
      [last],
    );
    const feed = attemptsOf(
      org.client.subscribe(DeliveryAttemptsDocument, { webhookId: org.webhookId, after: last }),
    );
    await feed.waitForEnd('the refusal');
    assert.ok(feed.error instanceof HooklineRequestError);
    assert.equal(feed.error.code, 'RESUME_TOO_FAR');
    assert.equal(feed.error.errors[0]?.extensions?.maxItems, 10_000);
  });
});

describe('deliveryUpdated(after:)', { skip }, () => {
  test('a subscriber back with the last changeId gets each delivery to its final status, no change twice', async () => {
    const org = await organization();
    const updates = (after?: string) =>
      collect(
        mapItems(
          org.client.subscribe(DeliveryUpdatedDocument, {
            webhookId: org.webhookId,
            ...(after ? { after } : {}),
          }),
          (d) => d.deliveryUpdated,
        ),
      );
    const first = updates();
    const warmUps = await warmUp(org.client, org.agentId, first);
    const emitting = emitMany(org.client, org.agentId, EVENTS);
    await eventually(() => (first.items.length >= 30 ? true : undefined), {
      message: '30 changes before the cut',
      timeoutMs: 30_000,
    });
    await first.stop();
    const seen = [...first.items];
    const last = greatest(seen.map((d) => d.changeId));
    const second = updates(last);
    await emitting;
    const { rows } = await eventually(
      async () => {
        const result = await admin.query<{ id: string }>(
          `select id from deliveries where webhook_id = $1 and status = 'SUCCEEDED'`,
          [org.webhookId],
        );
        return result.rows.length === warmUps + EVENTS ? result : undefined;
      },
      { message: 'every delivery succeeded', timeoutMs: 60_000 },
    );
    // Deliveries of warm-up events from before it subscribed do not count.
    const firstReceived = seen[0]!.id;
    const expected = rows.map((r) => r.id).filter((id) => id >= firstReceived);
    const all = (): DeliveryUpdate[] => [...seen, ...second.items];
    const succeeded = () =>
      new Set(
        all()
          .filter((d) => d.status === 'SUCCEEDED')
          .map((d) => d.id),
      );
    await eventually(() => (succeeded().size >= expected.length ? true : undefined), {
      message: `every delivery seen SUCCEEDED (now ${succeeded().size})`,
      timeoutMs: 30_000,
    });
    assert.deepEqual([...succeeded()].sort(), expected.sort());
    const changes = all().map((d) => `${d.changeId} ${d.status}`);
    assert.equal(new Set(changes).size, changes.length, 'no change was received twice');
    await second.stop();
  });
});

/** A TCP proxy to the API whose connections the test can cut, as a network failure would. */
async function startProxy(port: number) {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((inbound: Socket) => {
    accepted++;
    const outbound = connect(port, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    connections: () => sockets.size / 2,
    cut() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
