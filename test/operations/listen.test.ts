import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  CreateAgentDocument,
  CreateOrganizationDocument,
  createHooklineClient,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import pg from 'pg';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { preConversation } from '../support/fixtures.ts';
import { exited, killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let database: TestDatabase | undefined;
let receiver: Receiver | undefined;
const clients: HooklineClient[] = [];
const listeners: ChildProcess[] = [];

after(async () => {
  for (const child of listeners) child.kill('SIGKILL');
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await receiver?.close();
  await database?.drop();
});

interface Listener {
  child: ChildProcess;
  secret: string;
  webhookId: string;
  output(): string;
}

/** Until the API process holds a listener session for the webhook. */
async function listening(webhookId: string): Promise<void> {
  const db = new pg.Client({ connectionString: database!.url });
  await db.connect();
  try {
    await eventually(
      async () => {
        const { rows } = await db.query(
          "select 1 from listener_sessions where webhook_id = $1 and seen_at > now() - interval '45 seconds'",
          [webhookId],
        );
        return rows.length > 0 ? true : undefined;
      },
      { message: `a listener session for ${webhookId}` },
    );
  } finally {
    await db.end();
  }
}

/** `hookline listen` as a developer runs it, until it says it is ready. */
async function startListen(args: string[], apiKey: string): Promise<Listener> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOOKLINE_API_KEY: apiKey };
  for (const name of Object.keys(env)) {
    if (name.startsWith('PG') || name === 'DATABASE_URL' || name === 'HOOKLINE_ALLOW_NETWORKS')
      delete env[name];
  }
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['bin/hookline.js', 'listen', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  listeners.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await eventually(() => (/Ready\./.test(output) ? true : undefined), {
    message: `hookline listen to be ready:\n${output}`,
  });
  const secret = /Signing secret: (whsec_\S+)/.exec(output)?.[1];
  const webhookId = /webhook (whk_\S+)/.exec(output)?.[1];
  assert.ok(secret && webhookId, output);
  return { child, secret, webhookId, output: () => output };
}

test('hookline listen: signed deliveries reach a local server, and those owed while it was away arrive once it is back', async () => {
  database = await createTestDatabase('listen');
  // The receiver's loopback address is in no allowed network: only the listener reaches it.
  receiver = await startReceiver((_req, res) => {
    res.writeHead(202, { 'content-type': 'text/plain' });
    res.end('got it');
  });
  const settings = {
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1',
  };
  // The API (holding the listener's socket) and the worker (making the attempt) apart.
  const api = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' });
  await api.waitReady();
  const worker = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'worker' });
  await worker.waitReady();

  const operator = createHooklineClient({ url: api.url, apiKey: TEST_ADMIN_KEY });
  clients.push(operator);
  const { apiKey } = (
    await operator.request(CreateOrganizationDocument, { input: { name: 'Listen' } })
  ).createOrganization;
  const client = createHooklineClient({ url: api.url, apiKey });
  clients.push(client);
  const agentId = (await client.request(CreateAgentDocument, { input: { name: 'Reception' } }))
    .createAgent.agent.id;

  const forwardTo = `${receiver.url}/webhooks`;
  const args = ['--forward-to', forwardTo, '--url', api.url, '--events', 'pre-conversation'];
  const first = await startListen(args, apiKey);
  // "Ready." comes once the subscription is sent; the API process registers the session a
  // moment later, and an attempt before that would find nobody listening.
  await listening(first.webhookId);

  const emit = async (callId: string) =>
    (
      await client.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
      })
    ).emitEvent.event.id;
  const deliveryOf = async (eventId: string) => {
    const [edge] = (await client.request(DeliveriesDocument, { eventId })).deliveries.edges;
    assert.ok(edge);
    return edge.node.id;
  };
  const until = (
    id: string,
    check: (d: NonNullable<Awaited<ReturnType<typeof load>>>) => boolean,
  ) =>
    eventually(async () => {
      const delivery = await load(id);
      return delivery && check(delivery) ? delivery : undefined;
    });
  const load = async (id: string) => (await client.request(DeliveryDocument, { id })).delivery;

  // Delivered and verified with the secret the listener printed, by an independent library.
  const firstDelivery = await deliveryOf(await emit('call_1'));
  const [request] = await receiver.waitFor(1);
  assert.ok(request);
  assert.equal(request.path, '/webhooks');
  const verified = new StandardWebhook(first.secret).verify(request.body, request.headers) as {
    type: string;
  };
  assert.equal(verified.type, 'pre-conversation');
  assert.equal(request.headers['webhook-id'], firstDelivery);
  const succeeded = await until(firstDelivery, (d) => d.status === 'SUCCEEDED');
  assert.equal(succeeded.webhook.id, first.webhookId);
  assert.equal(succeeded.attempts.length, 1);
  assert.equal(succeeded.attempts[0]!.responseStatus, 202);
  assert.equal(succeeded.attempts[0]!.responseBody, 'got it');
  assert.equal(
    (succeeded.attempts[0]!.requestHeaders as Record<string, string>)['webhook-id'],
    firstDelivery,
  );

  // Ctrl-C ends it cleanly.
  first.child.kill('SIGINT');
  assert.equal(await exited(first.child), 0, first.output());

  // Nobody listens: the attempt fails listener_offline and the delivery stays owed.
  const owed = await deliveryOf(await emit('call_2'));
  const offline = await until(owed, (d) =>
    d.attempts.some((a) => a.errorKind === 'listener_offline'),
  );
  assert.equal(offline.status, 'PENDING');
  assert.equal(receiver.requests.length, 1);

  // The same webhook and secret come back with the next listener, and the owed delivery arrives.
  const second = await startListen(args, apiKey);
  await listening(second.webhookId);
  assert.equal(second.webhookId, first.webhookId);
  assert.equal(second.secret, first.secret);
  const requests = await receiver.waitFor(2);
  const late = requests[1]!;
  assert.equal(late.headers['webhook-id'], owed);
  new StandardWebhook(second.secret).verify(late.body, late.headers);
  const arrived = await until(owed, (d) => d.status === 'SUCCEEDED');
  assert.equal(arrived.attempts.at(-1)!.responseStatus, 202);
  assert.ok(arrived.attempts.slice(0, -1).every((a) => a.errorKind === 'listener_offline'));

  second.child.kill('SIGINT');
  assert.equal(await exited(second.child), 0, second.output());
});
