import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AgentsDocument,
  CreateApiKeyDocument,
  createHooklineClient,
  DeliveryUpdatedDocument,
  type DeliveryUpdatedSubscription,
  type HooklineClient,
  HooklineRequestError,
  RevokeApiKeyDocument,
} from '@hookline/client';
import pg from 'pg';
import { type Hookline, startHookline } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually, expectCode } from '../support/assertions.ts';
import {
  type Collector,
  collect,
  type SseResult,
  type SseSubscription,
  sseSubscribe,
  subscribersToBe,
} from '../support/live.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { RawGraphqlWs } from '../support/raw.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

/**
 * Revoking a key ends what is open with it at once: its WebSocket connections are closed with
 * 4403 and its SSE streams end with UNAUTHENTICATED, in this process and in any other process on
 * the same database (a second Hookline API instance here, with its own LISTEN connection, and a
 * real `api` child process: the database is all they share).
 */
let server: TestServer;
let second: Hookline;
let child: HooklineProcess | undefined;
const sockets: RawGraphqlWs[] = [];
const streams: SseSubscription<DeliveryUpdatedSubscription>[] = [];

before(async () => {
  server = await startTestServer('security_revocation');
  const config = parseConfig({
    DATABASE_URL: server.database.url,
    PORT: '0',
    HOOKLINE_ROLE: 'api',
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOOKLINE_DB_POOL_SIZE: '3',
  });
  second = await startHookline(config, createLogger({ level: config.logLevel }));
});
after(async () => {
  for (const socket of sockets) socket.close();
  for (const stream of streams) stream.close();
  await killAllProcesses();
  await second?.stop();
  await server.stop();
});

async function connect(url: string, apiKey: string): Promise<RawGraphqlWs> {
  const socket = await RawGraphqlWs.connect(url, apiKey);
  sockets.push(socket);
  return socket;
}

/** An organization with two keys: `doomed` is revoked by the test, `kept` is not. */
async function twoKeys(): Promise<{
  client: HooklineClient;
  doomed: { id: string; key: string };
  kept: string;
}> {
  const { client, apiKey } = await server.newOrganization();
  const created = await client.request(CreateApiKeyDocument, { input: { name: 'doomed' } });
  return {
    client,
    doomed: { id: created.createApiKey.key.id, key: created.createApiKey.apiKey },
    kept: apiKey,
  };
}

const SUBSCRIPTION = 'subscription { deliveryUpdated { id status } }';

/** An SSE subscription, read in the background; the server has admitted it once this returns. */
async function openStream(
  url: string,
  apiKey: string,
): Promise<Collector<SseResult<DeliveryUpdatedSubscription>>> {
  const stream = await sseSubscribe(url, apiKey, DeliveryUpdatedDocument, {});
  streams.push(stream);
  assert.equal(stream.status, 200);
  return collect(stream.results);
}

/** The stream's last word: one result with the revocation's error, then the end. */
function assertEndedByRevocation(stream: Collector<SseResult<DeliveryUpdatedSubscription>>) {
  assert.equal(stream.error, undefined);
  assert.equal(stream.items.length, 1, JSON.stringify(stream.items));
  const error = stream.items[0]?.errors?.[0];
  assert.equal(error?.extensions?.code, 'UNAUTHENTICATED');
  assert.match(error?.message ?? '', /revoked/);
}

describe('revoking a key', () => {
  test('closes its WebSocket connections with 4403 and ends their subscriptions; other keys keep theirs', async () => {
    const { client, doomed, kept } = await twoKeys();
    const liveFeeds = server.hookline.runtime.liveFeeds;
    const doomedSocket = await connect(server.url, doomed.key);
    const keptSocket = await connect(server.url, kept);
    doomedSocket.subscribe(SUBSCRIPTION);
    doomedSocket.subscribe('subscription { deliveryAttempts { id } }');
    keptSocket.subscribe(SUBSCRIPTION);
    await subscribersToBe(liveFeeds, 3);

    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });

    const closed = await doomedSocket.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /revoked/);
    await subscribersToBe(liveFeeds, 1);
    assert.ok(keptSocket.isOpen);
    assert.deepEqual((await keptSocket.run('{ __typename }')).results[0]?.data, {
      __typename: 'Query',
    });

    // And from now on, the key opens nothing.
    await expectCode(server.client(doomed.key).request(AgentsDocument, {}), 'UNAUTHENTICATED');
    const again = await RawGraphqlWs.connect(server.url, doomed.key);
    assert.equal((await again.closed).code, 4403);
  });

  test('closes its connections held by another process on the same database', async () => {
    const { client, doomed, kept } = await twoKeys();
    const elsewhere = await connect(second.url, doomed.key);
    const keptElsewhere = await connect(second.url, kept);
    elsewhere.subscribe(SUBSCRIPTION);
    await subscribersToBe(second.runtime.liveFeeds, 1);

    // Revoked through the first process: only NOTIFY tells the second one.
    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });

    const closed = await elsewhere.closed;
    assert.equal(closed.code, 4403);
    await subscribersToBe(second.runtime.liveFeeds, 0);
    assert.ok(keptElsewhere.isOpen);
  });

  test('another process that remembers the key as valid forgets it on the notice', async () => {
    const { client, doomed } = await twoKeys();
    // The second process has looked the key up, and remembers it for a few seconds.
    const elsewhere = createHooklineClient({ url: second.url, apiKey: doomed.key });
    try {
      await elsewhere.request(AgentsDocument, {});
      await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });
      // Only the NOTIFY tells it: well within its memory's 10 s, the key stops working there.
      const error = await eventually(
        () =>
          elsewhere.request(AgentsDocument, {}).then(
            () => undefined,
            (e: unknown) => e,
          ),
        { timeoutMs: 5_000, message: 'the second process to refuse the revoked key' },
      );
      assert.ok(error instanceof HooklineRequestError);
      assert.equal(error.code, 'UNAUTHENTICATED');
    } finally {
      await elsewhere.close();
    }
  });

  test('a revocation missed while LISTEN was down is found when it reconnects', async () => {
    const { doomed, kept } = await twoKeys();
    const elsewhere = await connect(second.url, doomed.key);
    const keptElsewhere = await connect(second.url, kept);
    const admin = new pg.Client({ connectionString: server.database.url });
    await admin.connect();
    try {
      // Revoked behind Hookline's back: no notice is ever sent, as if it had been lost.
      await admin.query('update api_keys set revoked_at = now() where id = $1', [doomed.id]);
      assert.ok(elsewhere.isOpen);
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'hookline-listener' and datname = current_database()",
      );
      const closed = await elsewhere.closed;
      assert.equal(closed.code, 4403);
      assert.ok(keptElsewhere.isOpen);
    } finally {
      await admin.end();
    }
  });

  test('ends its SSE streams; streams of other keys go on', async () => {
    const { client, doomed, kept } = await twoKeys();
    const liveFeeds = server.hookline.runtime.liveFeeds;
    // Other tests' subscribers may still be open on this server: count from here.
    const already = liveFeeds.subscriberCount;
    const doomedStream = await openStream(server.url, doomed.key);
    const keptStream = await openStream(server.url, kept);
    await subscribersToBe(liveFeeds, already + 2);

    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });

    await doomedStream.waitForEnd("the revoked key's stream to end", 1_000);
    assertEndedByRevocation(doomedStream);
    await subscribersToBe(liveFeeds, already + 1);
    assert.equal(keptStream.ended, false);
    const again = await sseSubscribe(server.url, doomed.key, DeliveryUpdatedDocument, {});
    streams.push(again);
    const refused = (await again.results.next()).value as SseResult<unknown> | undefined;
    assert.equal(refused?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  test('ends its SSE streams in another process within a second', async () => {
    child ??= await startHooklineProcess({
      DATABASE_URL: server.database.url,
      HOOKLINE_ROLE: 'api',
      HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
      HOOKLINE_DB_POOL_SIZE: '3',
    });
    await child.waitReady();
    const { client, doomed, kept } = await twoKeys();
    const elsewhere = await openStream(child.url, doomed.key);
    const keptElsewhere = await openStream(child.url, kept);

    // Revoked through this process: only NOTIFY tells the child.
    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });
    const revokedAt = performance.now();

    await elsewhere.waitForEnd('the stream in the other process to end', 1_000);
    const tookMs = performance.now() - revokedAt;
    assertEndedByRevocation(elsewhere);
    assert.ok(tookMs < 1_000, `ended ${tookMs.toFixed(0)} ms after the revocation`);
    assert.equal(keptElsewhere.ended, false);
    // Its log arrives through a pipe, on its own time.
    const holder = child;
    await eventually(
      () => (/closing connections of a revoked API key/.test(holder.output()) ? true : undefined),
      { message: "the child's log line about the revocation" },
    );
  });
});
