import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  DeliveriesDocument,
  EmitEventDocument,
  type HooklineClient,
  OperationalWebhookDocument,
  SetOperationalWebhookDocument,
  ToggleWebhookDocument,
  WebhooksDocument,
} from '@hookline/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import {
  type EventTypeName,
  eventTypeFromWireName,
  validateEventPayload,
} from '../../src/event-types/event-types.ts';
import { eventually, expectCode } from '../support/assertions.ts';
import { preConversation } from '../support/fixtures.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Operational webhooks (docs/delivering.md, Operational webhooks): an organization's one
 * operational endpoint hears, through the ordinary delivery path, that another of its endpoints
 * opened or closed its circuit, was disabled (by Hookline or by the organization), or let a
 * delivery run out of retries. Each arrives signed with the operational endpoint's own secret
 * and meets its JSON Schema in the catalog.
 */
let server: TestServer;
let client: HooklineClient;
let ops: Receiver;
let opsSecret: string;
let agentId: string;

// Small numbers, so that each rule plays out in seconds: one retry 0.2 s after the first attempt,
// a circuit that opens after two failures and probes 2 s later (by then a retry due meanwhile is
// held, and becomes the probe), and auto-disable after eight seconds of failure.
before(async () => {
  server = await startTestServer('operational_webhooks', {
    HOOKLINE_RETRY_SCHEDULE: '0.2',
    HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '2',
    HOOKLINE_CIRCUIT_PROBE_SECONDS: '2',
    HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS: '4',
    HOOKLINE_DISABLE_AFTER_SECONDS: '8',
  });
  ops = await startReceiver();
  const org = await server.newOrganization('Platform');
  client = org.client;
  const set = (await client.request(SetOperationalWebhookDocument, { input: { url: ops.url } }))
    .setOperationalWebhook;
  assert.equal(set.url, `${ops.url}/`);
  assert.match(set.signingSecret ?? '', /^whsec_/);
  opsSecret = set.signingSecret!;
  agentId = (await client.request(CreateAgentDocument, { input: { name: 'Agent' } })).createAgent
    .agent.id;
});
after(async () => {
  await server?.stop();
  await ops?.close();
});

/** A customer endpoint receiving the agent's pre-conversation events. */
async function endpoint(receiver: Receiver): Promise<string> {
  const { id } = (await client.request(CreateWebhookDocument, { input: { url: receiver.url } }))
    .createWebhook.webhook;
  await client.request(AttachWebhookDocument, {
    input: { webhookId: id, agentId, events: ['PRE_CONVERSATION'] },
  });
  return id;
}

const emit = () =>
  client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
  });

interface OperationalMessage {
  type: string;
  timestamp: string;
  data: { webhook: { id: string; url: string }; [key: string]: unknown };
}

/**
 * Waits for the operational event of this type about this webhook; checks its signature with the
 * operational secret and its data against the catalog's schema.
 */
async function operational(type: string, webhookId: string): Promise<OperationalMessage> {
  return eventually(
    () => {
      const request = ops.requests.find((r) => {
        const body = JSON.parse(r.body) as OperationalMessage;
        return body.type === type && body.data.webhook.id === webhookId;
      });
      return request && verified(request);
    },
    { message: `${type} about ${webhookId}`, timeoutMs: 30_000 },
  );
}

/** How many operational events of this type about this webhook have arrived. */
function received(type: string, webhookId: string): number {
  return ops.requests.filter((r) => {
    const body = JSON.parse(r.body) as OperationalMessage;
    return body.type === type && body.data.webhook.id === webhookId;
  }).length;
}

function verified(request: ReceivedRequest): OperationalMessage {
  const message = new StandardWebhook(opsSecret).verify(
    request.body,
    request.headers,
  ) as OperationalMessage;
  const definition = eventTypeFromWireName(message.type);
  assert.ok(definition?.operational, `${message.type} is an operational type`);
  const check = validateEventPayload(definition.name as EventTypeName, message.data);
  assert.ok(check.ok, `${message.type} meets its schema: ${JSON.stringify(check)}`);
  return message;
}

describe('operational webhooks', () => {
  test('the operational endpoint is not one of the webhooks, and takes no agent', async () => {
    const listed = (await client.request(WebhooksDocument, {})).webhooks.edges;
    assert.ok(listed.every((edge) => !edge.node.operational));
    const own = (await client.request(OperationalWebhookDocument)).operationalWebhook;
    assert.equal(own?.operational, true);
    assert.equal(own?.signingSecret, opsSecret);
    await expectCode(
      client.request(AttachWebhookDocument, {
        input: { webhookId: own!.id, agentId, events: ['PRE_CONVERSATION'] },
      }),
      'BAD_USER_INPUT',
    );
  });

  test('a delivery out of retries, then the circuit opening and closing again', async () => {
    let failing = true;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(failing ? 500 : 200).end();
    });
    try {
      const webhookId = await endpoint(receiver);
      await emit();
      // Two attempts (the first and its one retry) fail: the delivery is exhausted, and the
      // two failures in a row open the circuit.
      const exhausted = await operational('delivery.exhausted', webhookId);
      assert.equal(exhausted.data.reason, 'HTTP 500');
      assert.deepEqual(
        {
          ...(exhausted.data.delivery as Record<string, unknown>),
          id: undefined,
          eventId: undefined,
        },
        { id: undefined, eventId: undefined, eventType: 'pre-conversation', attempts: 2 },
      );
      const opened = await operational('endpoint.circuit_opened', webhookId);
      assert.equal(opened.data.consecutiveFailures, 2);
      assert.equal(opened.data.lastError, 'HTTP 500');
      assert.equal(opened.data.webhook.url, `${receiver.url}/`);
      // With nothing held, the circuit closes when its probe time comes.
      failing = false;
      const closed = await operational('endpoint.circuit_closed', webhookId);
      assert.equal(closed.data.reason, 'nothing_held');
      assert.equal(closed.data.openedAt, opened.data.openedAt);
      // Closed on probation, one more failure opens it again; its held delivery is then the
      // probe, whose success closes the circuit.
      failing = true;
      await emit();
      await eventually(
        () => (received('endpoint.circuit_opened', webhookId) >= 2 ? true : undefined),
        {
          message: 'the circuit opening again',
          timeoutMs: 30_000,
        },
      );
      failing = false;
      await eventually(
        () => (received('endpoint.circuit_closed', webhookId) >= 2 ? true : undefined),
        {
          message: 'the circuit closing after its probe',
          timeoutMs: 30_000,
        },
      );
      const last = ops.requests
        .map((r) => verified(r))
        .filter((m) => m.type === 'endpoint.circuit_closed' && m.data.webhook.id === webhookId)
        .at(-1);
      assert.equal(last?.data.reason, 'attempt_succeeded');
    } finally {
      await receiver.close();
    }
  });

  test('an endpoint that keeps failing is disabled by Hookline; one disabled by its organization is reported too', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(503).end();
    });
    const other = await startReceiver();
    try {
      const webhookId = await endpoint(receiver);
      await emit();
      await operational('delivery.exhausted', webhookId);
      // Failing for more than eight seconds: the next failure disables it.
      await new Promise((resolve) => setTimeout(resolve, 8_100));
      await emit();
      const disabled = await operational('endpoint.disabled', webhookId);
      assert.equal(disabled.data.trigger, 'automatic');
      assert.match(String(disabled.data.reason), /Disabled automatically/);
      assert.ok(disabled.data.failingSince);

      const healthy = await endpoint(other);
      await client.request(ToggleWebhookDocument, { input: { id: healthy, enabled: false } });
      const manual = await operational('endpoint.disabled', healthy);
      assert.equal(manual.data.trigger, 'manual');
      assert.equal(manual.data.failingSince, null);
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  test('operational deliveries take the ordinary path: logged attempts, and no event about the operational endpoint itself', async () => {
    const own = (await client.request(OperationalWebhookDocument)).operationalWebhook!;
    const deliveries = (await client.request(DeliveriesDocument, { webhookId: own.id })).deliveries
      .edges;
    assert.ok(deliveries.length >= 5);
    for (const { node } of deliveries) {
      assert.equal(node.webhook.id, own.id);
      assert.ok(node.attempts.length >= 1, 'attempted like any delivery');
    }
    // emitEvent refuses operational types; sendTestEvent sends them only to this endpoint.
    await expectCode(
      client.request(EmitEventDocument, {
        input: { agentId, type: 'ENDPOINT_DISABLED', payload: {} },
      }),
      'BAD_USER_INPUT',
    );
    // Removing it cancels what it still owes and stops further events.
    const removed = (await client.request(SetOperationalWebhookDocument, { input: { url: null } }))
      .setOperationalWebhook;
    assert.deepEqual(removed, { url: null, signingSecret: null });
    assert.equal((await client.request(OperationalWebhookDocument)).operationalWebhook, null);
  });
});
