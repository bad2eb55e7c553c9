import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  RedeliverDocument,
  ReplayFailedDeliveriesDocument,
  RotateWebhookSecretDocument,
  SendTestEventDocument,
  ToggleWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
} from '@hookline/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually, expectCode } from '../support/assertions.ts';
import { countRows } from '../support/database.ts';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { waitForQuiescence } from '../support/quiescence.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const receivers: Receiver[] = [];
const receiver = async (...args: Parameters<typeof startReceiver>) => {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
};

before(async () => {
  server = await startTestServer('delivery', {
    HOOKLINE_RETRY_SCHEDULE: '0.3,0.3,0.3',
    // Long enough that a busy machine never turns a receiver's answer into a timeout; the
    // timeout test sets its webhook's own, shorter one.
    HOOKLINE_REQUEST_TIMEOUT_MS: '5000',
    // These tests follow the retry schedule to its end; the circuit breaker (which would hold
    // a failing endpoint's deliveries first) has tests of its own.
    HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '1000',
  });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

async function deliveryOf(client: TestServer['operator'], id: string, status: string) {
  return eventually(
    async () => {
      const d = (await client.request(DeliveryDocument, { id })).delivery;
      return d?.status === status ? d : undefined;
    },
    { message: `delivery ${id} to be ${status}` },
  );
}

describe('delivery', () => {
  test('both event types arrive signed per Standard Webhooks, verified by an independent library', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId, signingSecret } = await agentWithWebhook(client, `${r.url}/hooks`);
    const pre = await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'ANALYTICS_COMPLETED', payload: analyticsCompleted() },
    });
    const requests = await r.waitFor(2);
    const verifier = new StandardWebhook(signingSecret);
    const bodies = requests.map(
      (req) => verifier.verify(req.body, req.headers) as Record<string, unknown>,
    );
    const types = bodies.map((b) => b.type).sort();
    assert.deepEqual(types, ['analytics-completed', 'pre-conversation']);
    for (const req of requests) {
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/hooks');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.match(req.headers['user-agent'] ?? '', /^Hookline\/\d+\.\d+\.\d+$/);
      assert.match(req.headers['webhook-id'] ?? '', /^dlv_/);
      assert.ok(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000) < 30);
    }
    const preBody = bodies.find((b) => b.type === 'pre-conversation') as {
      timestamp: string;
      data: Record<string, unknown>;
    };
    assert.deepEqual(preBody.data, { agentId, ...preConversation() });
    assert.equal(preBody.timestamp, pre.emitEvent.event.createdAt);

    const list = await client.request(DeliveriesDocument, { webhookId });
    assert.equal(list.deliveries.edges.length, 2);
    for (const { node } of list.deliveries.edges) {
      const done = await deliveryOf(client, node.id, 'SUCCEEDED');
      assert.equal(done.attemptCount, 1);
      assert.equal(done.attempts[0]?.responseStatus, 200);
      assert.equal(done.attempts[0]?.responseBody, 'ok');
      const headers = done.attempts[0]?.requestHeaders as Record<string, string>;
      assert.match(headers['webhook-signature'] ?? '', /^v1,/);
      assert.ok(
        !JSON.stringify(headers).includes(signingSecret.slice(6)),
        'the secret is never logged',
      );
    }
  });

  test('two agents share a webhook; each payload names its agent', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const first = await agentWithWebhook(client, r.url);
    const second = (await client.request(CreateAgentDocument, { input: { name: 'Sales' } }))
      .createAgent.agent;
    await client.request(AttachWebhookDocument, {
      input: { webhookId: first.webhookId, agentId: second.id, events: ['PRE_CONVERSATION'] },
    });
    for (const agentId of [first.agentId, second.id]) {
      await client.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(`call_${agentId}`) },
      });
    }
    const requests = await r.waitFor(2);
    const seen = requests.map((req) => JSON.parse(req.body).data).map((d) => [d.agentId, d.callId]);
    assert.deepEqual(
      seen.sort(),
      [
        [first.agentId, `call_${first.agentId}`],
        [second.id, `call_${second.id}`],
      ].sort(),
    );
  });

  test('a subscription only gets the event types it chose; an unwanted type is accepted with no delivery', async () => {
    const r = await receiver();
    const { client, organizationId } = await server.newOrganization();
    const { agentId } = await agentWithWebhook(client, r.url, ['ANALYTICS_COMPLETED']);
    const unwanted = await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const wanted = await client.request(EmitEventDocument, {
      input: { agentId, type: 'ANALYTICS_COMPLETED', payload: analyticsCompleted() },
    });
    await r.waitFor(1);
    const none = await client.request(DeliveriesDocument, { eventId: unwanted.emitEvent.event.id });
    assert.equal(none.deliveries.edges.length, 0);
    const one = await client.request(DeliveriesDocument, { eventId: wanted.emitEvent.event.id });
    assert.equal(one.deliveries.edges.length, 1);
    await waitForQuiescence(server, { organizationId });
    assert.equal(r.requests.length, 1);
    assert.equal(JSON.parse(r.requests[0]!.body).type, 'analytics-completed');
  });

  test('failures are retried on schedule until success, and every attempt is logged', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      res.writeHead(calls <= 2 ? 500 : 200);
      res.end(calls <= 2 ? `boom ${calls}` : 'fine');
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const requests = await r.waitFor(3);
    const ids = new Set(requests.map((req) => req.headers['webhook-id']));
    assert.equal(ids.size, 1, 'webhook-id is stable across retries');
    const [delivery] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const done = await deliveryOf(client, delivery!.node.id, 'SUCCEEDED');
    assert.deepEqual(
      done.attempts.map((a) => [a.attemptNumber, a.responseStatus, a.responseBody, a.errorKind]),
      [
        [1, 500, 'boom 1', 'http_status'],
        [2, 500, 'boom 2', 'http_status'],
        [3, 200, 'fine', null],
      ],
    );
    const gap = requests[1]!.receivedAt - requests[0]!.receivedAt;
    assert.ok(gap >= 200, `retry waited ${gap} ms (schedule 0.3 s ± 20 %)`);
  });

  test('after the last scheduled attempt the delivery is FAILED', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, timeoutMs: 800 } });
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [delivery] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const failed = await deliveryOf(client, delivery!.node.id, 'FAILED');
    assert.equal(failed.attemptCount, 4, 'first attempt + three retries');
    assert.equal(failed.nextAttemptAt, null);
  });

  test('Retry-After on 429 is honoured', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '2' });
      else res.writeHead(200);
      res.end();
    });
    const { client } = await server.newOrganization();
    const { agentId } = await agentWithWebhook(client, r.url);
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const requests = await r.waitFor(2);
    const gap = requests[1]!.receivedAt - requests[0]!.receivedAt;
    assert.ok(gap >= 1_800, `second attempt came ${gap} ms later; Retry-After asked for 2 s`);
  });

  test('a receiver that never answers is a timeout, recorded as a failed attempt', async () => {
    const r = await receiver(() => {
      /* never answers */
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, timeoutMs: 800 } });
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [delivery] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const attempt = await eventually(async () => {
      const d = (await client.request(DeliveryDocument, { id: delivery!.node.id })).delivery;
      return d?.attempts[0];
    });
    assert.equal(attempt.errorKind, 'timeout');
    assert.equal(attempt.responseStatus, null);
    assert.ok(
      attempt.durationMs >= 700 && attempt.durationMs < 10_000,
      `took ${attempt.durationMs} ms`,
    );
  });

  test('the same idempotency key returns the first event and sends once', async () => {
    const r = await receiver();
    const { client, organizationId } = await server.newOrganization();
    const { agentId } = await agentWithWebhook(client, r.url);
    const input = {
      agentId,
      type: 'PRE_CONVERSATION' as const,
      payload: preConversation(),
      idempotencyKey: 'call_1:pre',
    };
    const first = await client.request(EmitEventDocument, { input });
    const again = await client.request(EmitEventDocument, { input });
    assert.equal(again.emitEvent.event.id, first.emitEvent.event.id);
    await waitForQuiescence(server, { organizationId });
    assert.equal(r.requests.length, 1);
  });

  test('after rotation both the new and the old secret sign, during the grace period', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId, signingSecret: oldSecret } = await agentWithWebhook(client, r.url);
    const rotated = await client.request(RotateWebhookSecretDocument, { input: { id: webhookId } });
    const newSecret = rotated.rotateWebhookSecret.webhook.signingSecret;
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [req] = await r.waitFor(1);
    const signatures = req!.headers['webhook-signature']!.split(' ');
    assert.equal(signatures.length, 2);
    new StandardWebhook(newSecret).verify(req!.body, req!.headers);
    new StandardWebhook(oldSecret).verify(req!.body, req!.headers);
  });

  test('sendTestEvent reaches a webhook no agent is attached to', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { webhookId, signingSecret } = await agentWithWebhook(client, r.url, [
      'PRE_CONVERSATION',
    ]);
    const sent = await client.request(SendTestEventDocument, {
      input: { webhookId, type: 'ANALYTICS_COMPLETED' },
    });
    const [req] = await r.waitFor(1);
    const body = new StandardWebhook(signingSecret).verify(req!.body, req!.headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    assert.equal(body.type, 'analytics-completed');
    assert.equal(body.data.agentId, null);
    assert.equal(req!.headers['webhook-id'], sent.sendTestEvent.delivery.id);
  });

  test('redeliver starts a new series with the same webhook-id; replay redelivers failed ones', async () => {
    let failing = true;
    const r = await receiver((_req, res) => {
      res.writeHead(failing ? 500 : 200);
      res.end();
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const since = new Date(Date.now() - 1000).toISOString();
    for (const callId of ['a', 'b']) {
      await client.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
      });
    }
    const ids = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges.map(
      (e) => e.node.id,
    );
    for (const id of ids) await deliveryOf(client, id, 'FAILED');
    failing = false;

    await expectCode(
      client.request(RedeliverDocument, {
        input: { deliveryId: 'dlv_00000000000000000000000000' },
      }),
      'NOT_FOUND',
    );
    const redelivered = await client.request(RedeliverDocument, { input: { deliveryId: ids[0]! } });
    assert.equal(redelivered.redeliver.delivery.status, 'PENDING');
    const done = await deliveryOf(client, ids[0]!, 'SUCCEEDED');
    assert.equal(done.attemptCount, 5);
    assert.equal(r.requests.at(-1)!.headers['webhook-id'], ids[0]);

    const replay = await client.request(ReplayFailedDeliveriesDocument, {
      input: { webhookId, since },
    });
    assert.equal(replay.replayFailedDeliveries.count, 1);
    await deliveryOf(client, ids[1]!, 'SUCCEEDED');
    const stillFailed = await client.request(WebhookDeliveriesDocument, {
      id: webhookId,
      status: 'FAILED',
    });
    assert.equal(stillFailed.webhook?.deliveries.edges.length, 0);
  });

  test('disabling a webhook cancels its pending deliveries and it gets no new ones', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    await r.waitFor(1);
    await client.request(ToggleWebhookDocument, { input: { id: webhookId, enabled: false } });
    const [pending] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    await deliveryOf(client, pending!.node.id, 'CANCELLED');
    const next = await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('later') },
    });
    const none = await client.request(DeliveriesDocument, { eventId: next.emitEvent.event.id });
    assert.equal(none.deliveries.edges.length, 0);
  });
});

describe('emitEvent refuses bad input and writes nothing', () => {
  // Earlier tests' deliveries may still be retrying in the background and adding attempts:
  // compare what emitEvent itself would write.
  const rowsEmitWrites = async () => {
    const { delivery_attempts: _attempts, ...rest } = await countRows(server);
    return rest;
  };

  const cases = [
    {
      name: 'bad E.164 number',
      payload: { ...preConversation(), callerPhoneNumber: '555-1234' },
      field: 'payload.callerPhoneNumber',
    },
    {
      name: 'missing callId',
      payload: { callerPhoneNumber: '+14155550123', direction: 'inbound' },
      field: 'payload.callId',
    },
    {
      name: 'unknown direction',
      payload: { ...preConversation(), direction: 'sideways' },
      field: 'payload.direction',
    },
    { name: 'not an object', payload: [1, 2, 3], field: 'payload' },
    { name: 'a string', payload: 'hello', field: 'payload' },
    {
      name: 'over 256 KiB',
      payload: { ...preConversation(), metadata: { blob: 'x'.repeat(300 * 1024) } },
      field: 'payload',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { client } = await server.newOrganization();
      const { agentId } = await agentWithWebhook(client, 'http://127.0.0.1:9/never');
      const before = await rowsEmitWrites();
      const error = await expectCode(
        client.request(EmitEventDocument, {
          input: { agentId, type: 'PRE_CONVERSATION', payload: c.payload },
        }),
        'BAD_USER_INPUT',
      );
      assert.equal(error.errors[0]?.extensions?.field, c.field);
      assert.deepEqual(await rowsEmitWrites(), before);
    });
  }

  test('an unknown agent, or another organization’s, is NOT_FOUND', async () => {
    const a = await server.newOrganization();
    const b = await server.newOrganization();
    const { agentId } = await agentWithWebhook(a.client, 'http://127.0.0.1:9/never');
    const before = await rowsEmitWrites();
    await expectCode(
      b.client.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
      }),
      'NOT_FOUND',
    );
    await expectCode(
      a.client.request(EmitEventDocument, {
        input: {
          agentId: 'agt_00000000000000000000000000',
          type: 'PRE_CONVERSATION',
          payload: preConversation(),
        },
      }),
      'NOT_FOUND',
    );
    assert.deepEqual(await rowsEmitWrites(), before);
  });
});
