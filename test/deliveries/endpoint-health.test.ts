import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DeliveriesDocument,
  EmitEventDocument,
  ToggleWebhookDocument,
  WebhookDocument,
} from '@hookline/client';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let receiver: Receiver;
let failing = true;

before(async () => {
  // A one-second window stands in for the default five days.
  server = await startTestServer('endpoint_health', {
    HOOKLINE_RETRY_SCHEDULE: '0.4,0.4,0.4,0.4,0.4,0.4',
    HOOKLINE_DISABLE_AFTER_SECONDS: '1',
  });
  receiver = await startReceiver((_req, res) => {
    res.writeHead(failing ? 500 : 200);
    res.end();
  });
});
after(async () => {
  await receiver.close();
  await server.stop();
});

test('an endpoint failing for the whole window is disabled, its pending deliveries cancelled; enabling restores it', async () => {
  const { client } = await server.newOrganization();
  const { agentId, webhookId } = await agentWithWebhook(client, receiver.url);
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });

  const disabled = await eventually(async () => {
    const webhook = (await client.request(WebhookDocument, { id: webhookId })).webhook;
    return webhook && !webhook.enabled ? webhook : undefined;
  });
  assert.match(
    disabled.disabledReason ?? '',
    /Disabled automatically: every delivery attempt failed since/,
  );
  const [delivery] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
  assert.equal(delivery?.node.status, 'CANCELLED');
  const attemptsAtDisable = receiver.requests.length;
  const failingFor = Date.now() - receiver.requests[0]!.receivedAt;
  assert.ok(
    failingFor >= 900,
    `disabled ${failingFor} ms after the first failure; the window is 1 s`,
  );

  const skipped = await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('while-disabled') },
  });
  const none = await client.request(DeliveriesDocument, { eventId: skipped.emitEvent.event.id });
  assert.equal(none.deliveries.edges.length, 0, 'a disabled webhook gets no new deliveries');

  failing = false;
  const enabled = await client.request(ToggleWebhookDocument, {
    input: { id: webhookId, enabled: true },
  });
  assert.equal(enabled.toggleWebhook.webhook.enabled, true);
  assert.equal(enabled.toggleWebhook.webhook.disabledReason, null);
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('after') },
  });
  await receiver.waitFor(attemptsAtDisable + 1);
  const last = JSON.parse(receiver.requests.at(-1)!.body);
  assert.equal(last.data.callId, 'after');
});
