import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  RotateWebhookSecretDocument,
  UpdateWebhookDocument,
} from '@hookline/client';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { exited, freePort } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The verification code the README shows receivers, run as real receivers against real
 * deliveries: if a delivery succeeds, the example accepted Hookline's signature.
 */
const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let server: TestServer;
const children: ChildProcess[] = [];

before(async () => {
  server = await startTestServer('receiver_examples');
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => exited(child)));
  await server.stop();
});

async function startExample(
  command: string,
  file: string,
  secret: string,
): Promise<{ url: string; output: () => string }> {
  const port = await freePort();
  const child = spawn(command, [resolve(EXAMPLES, file), String(port)], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await eventually(() => (output.includes('listening') ? true : undefined), {
    message: `${file} to listen`,
  });
  return { url: `http://127.0.0.1:${port}/webhooks`, output: () => output };
}

async function emitAndExpectSuccess(
  client: TestServer['operator'],
  agentId: string,
  kind: 'pre' | 'analytics',
) {
  const emitted = await client.request(EmitEventDocument, {
    input:
      kind === 'pre'
        ? { agentId, type: 'PRE_CONVERSATION', payload: preConversation() }
        : { agentId, type: 'ANALYTICS_COMPLETED', payload: analyticsCompleted() },
  });
  const eventId = emitted.emitEvent.event.id;
  return eventually(async () => {
    const { deliveries } = await client.request(DeliveriesDocument, { eventId });
    const id = deliveries.edges[0]?.node.id;
    if (!id) return undefined;
    const d = (await client.request(DeliveryDocument, { id })).delivery;
    return d && d.status !== 'PENDING' ? d : undefined;
  });
}

for (const [language, command, file] of [
  ['Python (standard library)', 'python3', 'verify_webhook.py'],
  ['Node.js (node:crypto)', process.execPath, 'verify-webhook.mjs'],
] as const) {
  test(`the README's ${language} receiver verifies real deliveries, also across a secret rotation`, async () => {
    const { client } = await server.newOrganization();
    // Attach first with a placeholder URL, to learn the secret the receiver must know.
    const { agentId, webhookId, signingSecret } = await agentWithWebhook(
      client,
      'http://127.0.0.1:9/',
    );
    const example = await startExample(command, file, signingSecret);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, url: example.url } });

    const first = await emitAndExpectSuccess(client, agentId, 'pre');
    assert.equal(
      first.status,
      'SUCCEEDED',
      `${first.attempts[0]?.responseStatus} ${first.attempts[0]?.responseBody}`,
    );
    assert.equal(first.attempts[0]?.responseStatus, 204);
    assert.match(example.output(), /"verified": ?"pre-conversation"/);

    // The receiver still knows only the old secret: during the grace period that must suffice.
    await client.request(RotateWebhookSecretDocument, { input: { id: webhookId } });
    const second = await emitAndExpectSuccess(client, agentId, 'analytics');
    assert.equal(second.status, 'SUCCEEDED');
    assert.match(example.output(), /"verified": ?"analytics-completed"/);
  });
}

test('the Python receiver refuses a forged delivery', async () => {
  const example = await startExample(
    'python3',
    'verify_webhook.py',
    `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
  );
  const response = await fetch(example.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'dlv_forged',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
    },
    body: '{"type":"pre-conversation"}',
  });
  assert.equal(response.status, 400);
  assert.equal(await response.text(), 'no valid signature');
});
