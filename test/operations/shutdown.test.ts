import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  CreateOrganizationDocument,
  createHooklineClient,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { metricValue, scrape } from '../support/metrics.ts';
import {
  exited,
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

const databases: TestDatabase[] = [];
const receivers: Receiver[] = [];
const clients: HooklineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await Promise.all(receivers.map((r) => r.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

async function setup(label: string, respond: Parameters<typeof startReceiver>[0]) {
  const database = await createTestDatabase(label);
  databases.push(database);
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  const settings = {
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
  };
  return { database, receiver, settings };
}

async function organization(api: HooklineProcess) {
  const operator = createHooklineClient({ url: api.url, apiKey: TEST_ADMIN_KEY });
  clients.push(operator);
  const org = (await operator.request(CreateOrganizationDocument, { input: { name: 'Stop' } }))
    .createOrganization;
  const client = createHooklineClient({ url: api.url, apiKey: org.apiKey });
  clients.push(client);
  return { client, apiKey: org.apiKey };
}

async function onlyDelivery(client: HooklineClient, webhookId: string, status: string) {
  const [edge] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
  return eventually(async () => {
    const d = (await client.request(DeliveryDocument, { id: edge!.node.id })).delivery;
    return d?.status === status ? d : undefined;
  });
}

async function jobStates(url: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ state: string }>(
      `select state from pgboss.job where name = 'hookline-delivery' order by created_on`,
    );
    return rows.map((r) => r.state);
  } finally {
    await db.end();
  }
}

const logLines = (p: HooklineProcess) =>
  p
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

test('SIGTERM mid-delivery: the attempt in flight finishes, is recorded once, and the worker exits 0', async () => {
  // The receiver takes 2 s: the worker is stopped while it waits.
  const { database, receiver, settings } = await setup('shutdown_finish', (_req, res) => {
    setTimeout(() => {
      res.writeHead(200);
      res.end('ok');
    }, 2_000);
  });
  const bounds = { HOOKLINE_REQUEST_TIMEOUT_MS: '10000', HOOKLINE_SHUTDOWN_TIMEOUT_MS: '8000' };
  const api = await startHooklineProcess({ ...settings, ...bounds, HOOKLINE_ROLE: 'api' });
  const worker = await startHooklineProcess({ ...settings, ...bounds, HOOKLINE_ROLE: 'worker' });
  await Promise.all([api.waitReady(), worker.waitReady()]);
  // Every role serves /metrics.
  for (const p of [api, worker]) {
    assert.ok(metricValue(await scrape(p.url), 'hookline_db_pool_max_connections') > 0);
  }

  const { client } = await organization(api);
  const { agentId, webhookId } = await agentWithWebhook(client, receiver.url);
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });
  await receiver.waitFor(1);
  assert.equal(await worker.stop(), 0, worker.output());

  const delivery = await onlyDelivery(client, webhookId, 'SUCCEEDED');
  assert.equal(delivery.attempts.length, 1);
  assert.equal(delivery.attempts[0]!.responseStatus, 200);
  assert.equal(receiver.requests.length, 1);
  // Its job is completed: nothing is left that could send it again.
  assert.deepEqual(await jobStates(database.url), ['completed']);
  const attemptLines = logLines(worker).filter((l) => l.msg === 'delivery attempt');
  assert.equal(attemptLines.length, 1);
  assert.equal(attemptLines[0]!.deliveryId, delivery.id);
  assert.equal(attemptLines[0]!.attemptId, delivery.attempts[0]!.id);
  const messages = logLines(worker).map((l) => l.msg);
  assert.ok(messages.indexOf('stopping') < messages.indexOf('delivery attempt'));
  assert.ok(messages.includes('stopped'));
  assert.equal(await api.stop(), 0);
});

test('a receiver slower than the shutdown bound: the job is released, another worker delivers it again with the same webhook-id', async () => {
  let calls = 0;
  // The first request is never answered: only the shutdown bound ends it.
  const { database, receiver, settings } = await setup('shutdown_release', (_req, res) => {
    calls++;
    if (calls > 1) {
      res.writeHead(200);
      res.end('ok');
    }
  });
  const bounds = { HOOKLINE_REQUEST_TIMEOUT_MS: '30000', HOOKLINE_SHUTDOWN_TIMEOUT_MS: '1000' };
  const api = await startHooklineProcess({ ...settings, ...bounds, HOOKLINE_ROLE: 'api' });
  const first = await startHooklineProcess({ ...settings, ...bounds, HOOKLINE_ROLE: 'worker' });
  await Promise.all([api.waitReady(), first.waitReady()]);
  const { client } = await organization(api);
  const { agentId, webhookId } = await agentWithWebhook(client, receiver.url);
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });
  const [interrupted] = await receiver.waitFor(1);
  // The second worker starts once the first holds the job.
  const second = await startHooklineProcess({ ...settings, ...bounds, HOOKLINE_ROLE: 'worker' });
  await second.waitReady();
  assert.equal(await first.stop(), 0, first.output());

  const requests = await receiver.waitFor(2, 30_000);
  assert.equal(requests[1]!.headers['webhook-id'], interrupted!.headers['webhook-id']);
  const delivery = await onlyDelivery(client, webhookId, 'SUCCEEDED');
  assert.equal(delivery.id, interrupted!.headers['webhook-id']);
  // The attempt log holds the attempt that completed; the interrupted one is explained in the
  // first worker's log, with the delivery and the cause.
  assert.equal(delivery.attempts.length, 1);
  const released = logLines(first).filter((l) => l.reason === 'worker stopped');
  assert.equal(released.length, 1);
  assert.equal(released[0]!.deliveryId, delivery.id);
  assert.equal(released[0]!.webhookId, webhookId);
  assert.equal(logLines(first).filter((l) => l.msg === 'delivery attempt').length, 0);
  assert.equal(
    logLines(second).filter((l) => l.msg === 'delivery attempt' && l.deliveryId === delivery.id)
      .length,
    1,
  );
  assert.deepEqual(await jobStates(database.url), ['completed']);
  assert.equal(await second.stop(), 0);
  assert.equal(await api.stop(), 0);
});

test('SIGINT with open subscriptions: WebSocket clients get 1001 Going Away, SSE streams complete cleanly, exit 0', async () => {
  const { settings } = await setup('shutdown_subscriptions', undefined);
  const api = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' });
  await api.waitReady();
  const { apiKey } = await organization(api);

  const sse = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ query: 'subscription { deliveryUpdated { id } }' }),
  });
  assert.equal(sse.status, 200);
  const sseText = sse.text();

  let closeCode: number | undefined;
  const ws = createClient({
    url: `${api.url.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
    on: {
      closed: (event) => {
        closeCode ??= (event as { code: number }).code;
      },
    },
  });
  const wsEnded = new Promise<'complete' | 'error'>((resolve) => {
    ws.subscribe(
      { query: 'subscription { deliveryAttempts { id } }' },
      { next: () => {}, error: () => resolve('error'), complete: () => resolve('complete') },
    );
  });
  await eventually(async () => {
    const samples = await scrape(api.url);
    const ws = metricValue(samples, 'hookline_active_subscriptions', { transport: 'ws' });
    const sse = metricValue(samples, 'hookline_active_subscriptions', { transport: 'sse' });
    return ws === 1 && sse === 1 ? true : undefined;
  });

  api.process.kill('SIGINT');
  assert.equal(await exited(api.process), 0, api.output());
  // The SSE response ended normally (no reset) with the complete event.
  assert.match(await sseText, /event: complete/);
  assert.equal(await wsEnded, 'complete');
  await eventually(() => closeCode);
  assert.equal(closeCode, 1001);
  await ws.dispose();
});
