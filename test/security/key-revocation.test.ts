import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AgentsDocument,
  CreateApiKeyDocument,
  createHooklineClient,
  type HooklineClient,
  HooklineRequestError,
  RevokeApiKeyDocument,
} from '@hookline/client';
import pg from 'pg';
import { type Hookline, startHookline } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually, expectCode } from '../support/assertions.ts';
import { subscribersToBe } from '../support/live.ts';
import { RawGraphqlWs } from '../support/raw.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

/**
 * Revoking a key ends what is open with it at once: its WebSocket connections are closed with
 * 4403, in this process and in any other process on the same database (a second Hookline API
 * instance here, with its own LISTEN connection: the database is all they share).
 */
let server: TestServer;
let second: Hookline;
const sockets: RawGraphqlWs[] = [];

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

describe('revoking a key', () => {
  test('closes its WebSocket connections with 4403 and ends their subscriptions; other keys keep theirs', async () => {
    const { client, doomed, kept } = await twoKeys();
    const notifier = server.hookline.services.notifier;
    const doomedSocket = await connect(server.url, doomed.key);
    const keptSocket = await connect(server.url, kept);
    doomedSocket.subscribe(SUBSCRIPTION);
    doomedSocket.subscribe('subscription { deliveryAttempts { id } }');
    keptSocket.subscribe(SUBSCRIPTION);
    await subscribersToBe(notifier, 3);

    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });

    const closed = await doomedSocket.closed;
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /revoked/);
    await subscribersToBe(notifier, 1);
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
    await subscribersToBe(second.services.notifier, 1);

    // Revoked through the first process: only NOTIFY tells the second one.
    await client.request(RevokeApiKeyDocument, { input: { id: doomed.id } });

    const closed = await elsewhere.closed;
    assert.equal(closed.code, 4403);
    await subscribersToBe(second.services.notifier, 0);
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
});
