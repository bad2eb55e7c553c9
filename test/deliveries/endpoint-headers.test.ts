import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateOrganizationDocument,
  CreateWebhookDocument,
  createHooklineClient,
  DeliveriesDocument,
  EmitEventDocument,
  type HooklineClient,
  UpdateWebhookDocument,
  WebhookDocument,
} from '@hookline/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { preConversation } from '../support/fixtures.ts';
import { killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * A webhook's static headers (docs/delivering.md, Static headers): they reach the receiver as
 * set, beside a signature that still verifies; the API and the attempt log show them masked;
 * and the process log, at debug, never holds a value.
 */
let database: TestDatabase | undefined;
let receiver: Receiver | undefined;
const clients: HooklineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await receiver?.close();
  await database?.drop();
});

test('static headers reach the receiver, are shown masked, and never reach a log', async () => {
  database = await createTestDatabase('endpoint_headers');
  receiver = await startReceiver();
  const hookline = await startHooklineProcess({
    ...database.env,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'debug',
  });
  await hookline.waitReady();
  const operator = createHooklineClient({ url: hookline.url, apiKey: TEST_ADMIN_KEY });
  clients.push(operator);
  const { apiKey } = (
    await operator.request(CreateOrganizationDocument, { input: { name: 'Gateway' } })
  ).createOrganization;
  const client = createHooklineClient({ url: hookline.url, apiKey });
  clients.push(client);

  const token = `Bearer gw-${randomBytes(16).toString('hex')}`;
  const tenant = `acme-${randomBytes(3).toString('hex')}`; // 11 characters: too short to show any
  const created = (
    await client.request(CreateWebhookDocument, {
      input: {
        url: receiver.url,
        headers: [
          { name: 'Authorization', value: token },
          { name: 'X-Tenant', value: tenant },
        ],
      },
    })
  ).createWebhook.webhook;
  assert.deepEqual(created.headers, [
    { name: 'Authorization', valueHint: 'Bear…' },
    { name: 'X-Tenant', valueHint: '…' },
  ]);
  const agent = (await client.request(CreateAgentDocument, { input: { name: 'Front desk' } }))
    .createAgent.agent;
  await client.request(AttachWebhookDocument, {
    input: { webhookId: created.id, agentId: agent.id, events: ['PRE_CONVERSATION'] },
  });
  const emit = () =>
    client.request(EmitEventDocument, {
      input: { agentId: agent.id, type: 'PRE_CONVERSATION', payload: preConversation() },
    });

  await emit();
  const [first] = await receiver.waitFor(1);
  assert.equal(first!.headers.authorization, token);
  assert.equal(first!.headers['x-tenant'], tenant);
  assert.equal(first!.headers['content-type'], 'application/json');
  new StandardWebhook(created.signingSecret).verify(first!.body, first!.headers);

  // The attempt log keeps the names, masked.
  const attempt = await eventually(async () => {
    const [edge] = (await client.request(DeliveriesDocument, { webhookId: created.id })).deliveries
      .edges;
    return edge?.node.attempts[0];
  });
  const logged = attempt.requestHeaders as Record<string, string>;
  assert.equal(logged.Authorization, 'Bear…');
  assert.equal(logged['X-Tenant'], '…');
  assert.ok(!JSON.stringify(logged).includes(token.slice(7)));

  // Given headers replace the set; null removes them all.
  const replaced = (
    await client.request(UpdateWebhookDocument, {
      input: { id: created.id, headers: [{ name: 'X-Tenant', value: `${tenant}-2` }] },
    })
  ).updateWebhook.webhook;
  assert.deepEqual(replaced.headers, [{ name: 'X-Tenant', valueHint: 'acme…' }]);
  await emit();
  const [, second] = await receiver.waitFor(2);
  assert.equal(second!.headers.authorization, undefined);
  assert.equal(second!.headers['x-tenant'], `${tenant}-2`);
  const unchanged = (
    await client.request(UpdateWebhookDocument, { input: { id: created.id, description: 'x' } })
  ).updateWebhook.webhook;
  assert.equal(unchanged.headers.length, 1, 'left out: kept');
  await client.request(UpdateWebhookDocument, { input: { id: created.id, headers: null } });
  assert.deepEqual(
    (await client.request(WebhookDocument, { id: created.id })).webhook?.headers,
    [],
  );
  await emit();
  const [, , third] = await receiver.waitFor(3);
  assert.equal(third!.headers['x-tenant'], undefined);

  // Everything the process wrote, at debug, holds no header value.
  await eventually(() =>
    hookline.output().split('"msg":"delivery attempt"').length > 3 ? true : undefined,
  );
  assert.equal(await hookline.stop(), 0);
  const output = hookline.output();
  for (const value of [token, token.slice(7), tenant]) {
    assert.ok(!output.includes(value), `the log contains ${value}`);
  }
});
