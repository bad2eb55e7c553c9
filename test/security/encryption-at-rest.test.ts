import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateOrganizationDocument,
  CreateWebhookDocument,
  createHooklineClient,
  EmitEventDocument,
  type HooklineClient,
  WebhookDocument,
} from '@hookline/client';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { type Hookline, startHookline } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { keyIdOf } from '../../src/shared/keyring.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * Signing secrets and endpoint headers are sealed at rest (docs/operations.md, Encryption at
 * rest): what the database holds is useless without HOOKLINE_ENCRYPTION_KEY, secrets written in
 * plain text before are sealed at the next start, and a key rotation keeps every delivery signed
 * with the secret its receiver knows.
 */
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);

let database: TestDatabase;
let receiver: Receiver;
let running: Hookline | undefined;
const clients: HooklineClient[] = [];

before(async () => {
  database = await createTestDatabase('encryption_at_rest');
  receiver = await startReceiver();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await running?.stop();
  await receiver?.close();
  await database?.drop();
});

async function start(env: Record<string, string>): Promise<Hookline> {
  const config = parseConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOOKLINE_DB_POOL_SIZE: '4',
    ...env,
  });
  running = await startHookline(config, createLogger({ level: config.logLevel }));
  return running;
}

async function stop(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await running?.stop();
  running = undefined;
}

function clientOf(hookline: Hookline, apiKey: string): HooklineClient {
  const client = createHooklineClient({ url: hookline.url, apiKey });
  clients.push(client);
  return client;
}

async function query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Emits one event and checks the request it produced verifies with `secret`. */
async function deliveredAndVerified(
  client: HooklineClient,
  agentId: string,
  secret: string,
): Promise<void> {
  const before = receiver.requests.length;
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });
  const [request] = (await receiver.waitFor(before + 1)).slice(before);
  assert.ok(request);
  new StandardWebhook(secret).verify(request.body, request.headers);
}

let apiKey: string;
let ids: { agentId: string; webhookId: string; signingSecret: string };
const HEADER_VALUE = `Bearer gateway-${randomBytes(12).toString('hex')}`;

describe('secrets at rest', () => {
  test('signing secrets and headers are not readable in the database without the key', async () => {
    const hookline = await start({ HOOKLINE_ENCRYPTION_KEY: keyA.toString('base64') });
    const operator = clientOf(hookline, TEST_ADMIN_KEY);
    apiKey = (await operator.request(CreateOrganizationDocument, { input: { name: 'Sealed' } }))
      .createOrganization.apiKey;
    const client = clientOf(hookline, apiKey);
    ids = await agentWithWebhook(client, receiver.url, ['PRE_CONVERSATION']);
    const withHeaders = (
      await client.request(CreateWebhookDocument, {
        input: {
          url: `${receiver.url}/gated`,
          headers: [{ name: 'Authorization', value: HEADER_VALUE }],
        },
      })
    ).createWebhook.webhook;

    const rows = await query<{
      id: string;
      signing_secret: string;
      headers: string | null;
      row: string;
    }>(
      'select id, signing_secret, headers, row_to_json(w)::text as row from webhooks w order by id',
    );
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.match(row.signing_secret, new RegExp(`^hle1:${keyIdOf(keyA)}:`));
      for (const secret of [ids.signingSecret, withHeaders.signingSecret]) {
        assert.ok(!row.row.includes(secret.replace(/^whsec_/, '')), 'no secret in the row');
      }
      assert.ok(!row.row.includes(HEADER_VALUE) && !row.row.includes('gateway-'), 'no header');
    }
    assert.match(rows.find((r) => r.id === withHeaders.id)!.headers!, /^hle1:/);
    // Through the API, the secret is the one handed out.
    const read = (await client.request(WebhookDocument, { id: ids.webhookId })).webhook;
    assert.equal(read?.signingSecret, ids.signingSecret);
    await deliveredAndVerified(client, ids.agentId, ids.signingSecret);
    await stop();
  });

  test('a signing secret stored in plain text (before encryption at rest) is sealed at the next start', async () => {
    const plain = `whsec_${randomBytes(32).toString('base64')}`;
    await query('update webhooks set signing_secret = $1 where id = $2', [plain, ids.webhookId]);
    const hookline = await start({ HOOKLINE_ENCRYPTION_KEY: keyA.toString('base64') });
    const [row] = await query<{ signing_secret: string }>(
      'select signing_secret from webhooks where id = $1',
      [ids.webhookId],
    );
    assert.match(row!.signing_secret, /^hle1:/);
    assert.ok(!row!.signing_secret.includes(plain.slice(6)));
    const client = clientOf(hookline, apiKey);
    assert.equal(
      (await client.request(WebhookDocument, { id: ids.webhookId })).webhook?.signingSecret,
      plain,
    );
    await deliveredAndVerified(client, ids.agentId, plain);
    ids.signingSecret = plain;
    await stop();
  });

  test('rotation: a new key with the old one as previous re-seals everything, and deliveries stay signed', async () => {
    const hookline = await start({
      HOOKLINE_ENCRYPTION_KEY: keyB.toString('hex'),
      HOOKLINE_ENCRYPTION_PREVIOUS_KEYS: keyA.toString('base64'),
    });
    const rows = await query<{ signing_secret: string; headers: string | null }>(
      'select signing_secret, headers from webhooks',
    );
    for (const row of rows) {
      assert.match(row.signing_secret, new RegExp(`^hle1:${keyIdOf(keyB)}:`));
      if (row.headers) assert.match(row.headers, new RegExp(`^hle1:${keyIdOf(keyB)}:`));
    }
    await deliveredAndVerified(clientOf(hookline, apiKey), ids.agentId, ids.signingSecret);
    await stop();

    // Once re-sealed, the old key is no longer needed.
    const alone = await start({ HOOKLINE_ENCRYPTION_KEY: keyB.toString('base64') });
    await deliveredAndVerified(clientOf(alone, apiKey), ids.agentId, ids.signingSecret);
    const headers = receiver.requests.filter((r) => r.path === '/gated');
    assert.equal(headers.length, 0, 'the gated webhook has no agent: nothing was sent to it');
    await stop();
  });

  test('a process without the key that sealed the secrets refuses to start, saying so', async () => {
    await assert.rejects(
      start({ HOOKLINE_ENCRYPTION_KEY: keyC.toString('base64') }),
      (error: Error) =>
        error.message.includes(keyIdOf(keyB)) && /not configured/.test(error.message),
    );
    running = undefined;
  });
});
