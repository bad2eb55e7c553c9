import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CallSetupAnswerSchemaDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  DeliveriesDocument,
  DeliveryAttemptsDocument,
  type DeliveryAttemptsSubscription,
  DeliveryDocument,
  type HooklineClient,
  RedeliverDocument,
  ReplayFailedDeliveriesDocument,
  RequestCallSetupDocument,
  type RequestCallSetupMutationVariables,
  SetOperationalWebhookDocument,
  ToggleWebhookDocument,
  WebhookDocument,
} from '@hookline/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually, expectCode } from '../support/assertions.ts';
import { preConversation } from '../support/fixtures.ts';
import { collect, mapItems, subscribersToBe } from '../support/live.ts';
import { type Receiver, type Responder, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * requestCallSetup against a real Hookline and real responders on loopback: what comes back for
 * every kind of answer and non-answer, within the deadline, and that every try is a delivery
 * attempt like any other (attempt log, live feed, endpoint health).
 */

const receivers: Receiver[] = [];
async function receiver(respond?: Responder): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

let server: TestServer;
before(async () => {
  server = await startTestServer('call_setup', { HOOKLINE_RATE_LIMIT_PER_MINUTE: '0' });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

const FALLBACK = { greeting: 'Hello from the fallback', vip: false, tier: 1 };

const json =
  (status: number, body: unknown): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

/** Never answers: the request stays open until Hookline gives up on it. */
const hang: Responder = (_req, res: ServerResponse) => {
  res.on('close', () => {});
};

interface Responders {
  client: HooklineClient;
  agentId: string;
  webhookId: string;
  signingSecret: string;
}

/** An organization with an agent whose call-setup responder is `url`. */
async function agentWithResponder(
  url: string,
  name = 'Setups',
  headers?: { name: string; value: string }[],
): Promise<Responders> {
  const { client } = await server.newOrganization(name);
  const agent = (
    await client.request(CreateAgentDocument, {
      input: { name: 'Reception', callSetupFallback: FALLBACK },
    })
  ).createAgent.agent;
  const webhook = (await client.request(CreateWebhookDocument, { input: { url, headers } }))
    .createWebhook.webhook;
  const attached = await client.request(AttachWebhookDocument, {
    input: {
      webhookId: webhook.id,
      agentId: agent.id,
      events: ['PRE_CONVERSATION'],
      respondsToCallSetup: true,
    },
  });
  assert.equal(attached.attachWebhook.subscription.respondsToCallSetup, true);
  return {
    client,
    agentId: agent.id,
    webhookId: webhook.id,
    signingSecret: webhook.signingSecret,
  };
}

async function requestSetup(
  r: Pick<Responders, 'client' | 'agentId'>,
  input: Partial<RequestCallSetupMutationVariables['input']> = {},
) {
  const started = performance.now();
  const { requestCallSetup } = await r.client.request(RequestCallSetupDocument, {
    input: { agentId: r.agentId, payload: preConversation(), ...input },
  });
  return { ...requestCallSetup, elapsedMs: performance.now() - started };
}

/** The deliveries of an event, with their attempts, once `ready` says they are there. */
async function deliveriesOf(client: HooklineClient, eventId: string, count: number) {
  return eventually(async () => {
    const { deliveries } = await client.request(DeliveriesDocument, { eventId });
    if (deliveries.edges.length < count) return undefined;
    return Promise.all(
      deliveries.edges.map(
        async (edge) => (await client.request(DeliveryDocument, { id: edge.node.id })).delivery!,
      ),
    );
  });
}

describe('answers', () => {
  test("the responder's variables come back, from a request signed like any delivery", async () => {
    const r = await receiver(
      json(200, { variables: { customerName: 'Ada', vip: true, visits: 3 } }),
    );
    const setup = await agentWithResponder(r.url);
    const result = await requestSetup(setup, { deadlineMs: 5000 });

    assert.equal(result.setup.outcome, 'ANSWERED');
    assert.equal(result.setup.action, 'CONTINUE');
    assert.deepEqual(result.setup.variables, { customerName: 'Ada', vip: true, visits: 3 });
    assert.equal(result.setup.reason, null);
    assert.equal(result.setup.webhook?.id, setup.webhookId);
    assert.equal(result.setup.attempts.length, 1);
    assert.equal(result.setup.attempts[0]!.responseStatus, 200);
    assert.equal(result.event.type, 'PRE_CONVERSATION');

    // Signed like any delivery: webhook-id is the delivery's id; the deadline is told.
    const [request] = r.requests;
    const message = new StandardWebhook(setup.signingSecret).verify(
      request!.body,
      request!.headers,
    ) as { type: string; data: { callId: string; agentId: string } };
    assert.equal(message.type, 'pre-conversation');
    assert.equal(message.data.agentId, setup.agentId);
    const deadline = Number(request!.headers['hookline-call-setup-deadline']);
    assert.ok(Math.abs(deadline - (request!.receivedAt + 5000)) < 1000, String(deadline));
    const left = Number(request!.headers['hookline-call-setup-deadline-ms']);
    assert.ok(left > 4000 && left <= 5000, String(left));

    // The try is in the delivery log: a delivery of kind CALL_SETUP, SUCCEEDED.
    const [delivery] = await deliveriesOf(setup.client, result.event.id, 1);
    assert.equal(delivery!.kind, 'CALL_SETUP');
    assert.equal(delivery!.status, 'SUCCEEDED');
    assert.equal(delivery!.id, request!.headers['webhook-id']);
    assert.deepEqual(
      delivery!.attempts.map((a) => a.id),
      result.setup.attempts.map((a) => a.id),
    );
  });

  test("the responder's static headers go with each try; the attempt log keeps them masked", async () => {
    const r = await receiver(json(200, { variables: { greeting: 'Hi' } }));
    const setup = await agentWithResponder(r.url, 'Headers', [
      { name: 'x-api-key', value: 'key-for-the-responder-123' },
    ]);
    const { setup: answered } = await requestSetup(setup);
    assert.equal(answered.outcome, 'ANSWERED');
    assert.equal(r.requests[0]!.headers['x-api-key'], 'key-for-the-responder-123');
    const logged = answered.attempts[0]!.requestHeaders as Record<string, string>;
    assert.equal(logged['x-api-key'], 'key-…');
    assert.ok(logged['webhook-signature'], 'the signed headers are logged as sent');
  });

  test('reject, an empty 2xx body, and action alone are answers too', async () => {
    const reject = await agentWithResponder(
      (await receiver(json(200, { action: 'reject' }))).url,
      'Rejects',
    );
    const rejected = (await requestSetup(reject)).setup;
    assert.deepEqual(
      [rejected.outcome, rejected.action, rejected.variables],
      ['ANSWERED', 'REJECT', {}],
    );

    const empty = await agentWithResponder(
      (
        await receiver((_req, res) => {
          res.writeHead(204).end();
        })
      ).url,
      'Says nothing',
    );
    const continued = (await requestSetup(empty)).setup;
    assert.deepEqual(
      [continued.outcome, continued.action, continued.variables],
      ['ANSWERED', 'CONTINUE', {}],
    );
  });

  test('an agent without a responder gets its fallback at once: NO_RESPONDER', async () => {
    const { client } = await server.newOrganization('Nobody answers');
    const agent = (
      await client.request(CreateAgentDocument, {
        input: { name: 'Alone', callSetupFallback: FALLBACK },
      })
    ).createAgent.agent;
    const result = await requestSetup({ client, agentId: agent.id });
    assert.equal(result.setup.outcome, 'NO_RESPONDER');
    assert.deepEqual(result.setup.variables, FALLBACK);
    assert.equal(result.setup.webhook, null);
    assert.deepEqual(result.setup.attempts, []);
  });
});

describe('every failure gives the fallback, with its reason', () => {
  const cases: { name: string; respond: Responder; reason: string; tries?: number }[] = [
    { name: '500, every time', respond: json(500, 'down'), reason: 'http_status_500', tries: 5 },
    { name: 'a 404', respond: json(404, 'no such hook'), reason: 'http_status_404', tries: 1 },
    { name: 'invalid JSON', respond: json(200, '{"variables": '), reason: 'invalid_json' },
    {
      name: 'a body that breaks the schema',
      respond: json(200, { variables: { nested: { no: 'objects' } } }),
      reason: 'invalid_answer',
    },
    {
      name: 'an unknown field',
      respond: json(200, { varaibles: { a: 1 } }),
      reason: 'invalid_answer',
    },
    {
      name: 'an answer over 64 KiB',
      respond: json(200, { variables: { big: 'x'.repeat(70_000) } }),
      reason: 'answer_too_large',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await receiver(c.respond);
      const setup = await agentWithResponder(r.url, c.name);
      const result = await requestSetup(setup, { deadlineMs: 3000 });
      assert.equal(result.setup.outcome, 'FALLBACK');
      assert.equal(result.setup.reason, c.reason);
      assert.equal(result.setup.action, 'CONTINUE');
      assert.deepEqual(result.setup.variables, FALLBACK);
      assert.equal(result.setup.attempts.length, c.tries ?? 1);
      const [delivery] = await deliveriesOf(setup.client, result.event.id, 1);
      assert.equal(delivery!.status, 'FAILED');
      // A usable status with an unusable body says why in the attempt log.
      if (!c.reason.startsWith('http_status')) {
        assert.equal(delivery!.attempts[0]!.errorKind, c.reason);
        assert.equal(delivery!.attempts[0]!.responseStatus, 200);
      }
    });
  }

  test('a hanging responder: the answer comes by the deadline, and so does the recorded attempt', async () => {
    const r = await receiver(hang);
    const setup = await agentWithResponder(r.url, 'Hangs');
    const deadlineMs = 1000;
    const startedAt = Date.now();
    const result = await requestSetup(setup, { deadlineMs });
    assert.equal(result.setup.outcome, 'FALLBACK');
    assert.equal(result.setup.reason, 'timeout');
    assert.deepEqual(result.setup.variables, FALLBACK);
    // Generous margins, as the machine is shared (the benchmark measures precision), yet far
    // below the 10 s a try would last unbounded.
    assert.ok(result.elapsedMs < deadlineMs + 1500, `answered after ${result.elapsedMs} ms`);
    assert.ok(result.setup.durationMs <= deadlineMs + 250, `${result.setup.durationMs} ms`);
    const [attempt] = result.setup.attempts;
    assert.equal(attempt!.errorKind, 'timeout');
    const endedAt = Date.parse(attempt!.startedAt) + attempt!.durationMs;
    assert.ok(
      endedAt <= startedAt + deadlineMs + 1000,
      `attempt ended ${endedAt - startedAt} ms in`,
    );
  });

  test('retries happen at once within the deadline: 503, 503, then an answer', async () => {
    let calls = 0;
    const r = await receiver((req, res) => {
      calls++;
      if (calls <= 2) json(503, 'busy')(req, res);
      else json(200, { variables: { third: 'time lucky' } })(req, res);
    });
    const setup = await agentWithResponder(r.url, 'Third time');
    const result = await requestSetup(setup, { deadlineMs: 3000 });
    assert.equal(result.setup.outcome, 'ANSWERED');
    assert.deepEqual(result.setup.variables, { third: 'time lucky' });
    assert.deepEqual(
      result.setup.attempts.map((a) => a.responseStatus),
      [503, 503, 200],
    );
    // One delivery (one webhook-id) for every try.
    assert.equal(new Set(r.requests.map((q) => q.headers['webhook-id'])).size, 1);
    const [delivery] = await deliveriesOf(setup.client, result.event.id, 1);
    assert.equal(delivery!.attemptCount, 3);
  });

  test('a slow 503: tries stop before the deadline', async () => {
    const r = await receiver(async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      json(503, 'busy')(req, res);
    });
    const setup = await agentWithResponder(r.url, 'Slowly failing');
    const deadlineMs = 1000;
    const startedAt = Date.now();
    const result = await requestSetup(setup, { deadlineMs });
    assert.equal(result.setup.outcome, 'FALLBACK');
    // Two 503s fit in the deadline at most; the try after them is cut off by it.
    const attempts = result.setup.attempts;
    assert.ok(attempts.length >= 1 && attempts.length <= 3, `${attempts.length} tries`);
    assert.ok(result.elapsedMs < deadlineMs + 1500, `answered after ${result.elapsedMs} ms`);
    for (const attempt of attempts) {
      const endedAt = Date.parse(attempt.startedAt) + attempt.durationMs;
      assert.ok(
        endedAt <= startedAt + deadlineMs + 1000,
        `a try ended ${endedAt - startedAt} ms in`,
      );
    }
  });

  test('a disabled responder is not asked: webhook_disabled', async () => {
    const r = await receiver(json(200, { variables: { a: 1 } }));
    const setup = await agentWithResponder(r.url, 'Disabled');
    await setup.client.request(ToggleWebhookDocument, {
      input: { id: setup.webhookId, enabled: false },
    });
    const result = await requestSetup(setup);
    assert.deepEqual(
      [result.setup.outcome, result.setup.reason, result.setup.webhook?.id],
      ['FALLBACK', 'webhook_disabled', setup.webhookId],
    );
    assert.deepEqual(result.setup.variables, FALLBACK);
    assert.deepEqual(result.setup.attempts, []);
    assert.equal(r.requests.length, 0);
  });

  test('a call setup is never sent again: redeliver is a CONFLICT, replaying failures leaves it', async () => {
    const r = await receiver(json(404, 'gone'));
    const setup = await agentWithResponder(r.url, 'Never again');
    const result = await requestSetup(setup);
    const [delivery] = await deliveriesOf(setup.client, result.event.id, 1);
    assert.equal(delivery!.status, 'FAILED');
    await expectCode(
      setup.client.request(RedeliverDocument, { input: { deliveryId: delivery!.id } }),
      'CONFLICT',
    );
    const replayed = await setup.client.request(ReplayFailedDeliveriesDocument, {
      input: { webhookId: setup.webhookId, since: '2026-01-01T00:00:00Z' },
    });
    assert.equal(replayed.replayFailedDeliveries.count, 0);
    assert.equal(r.requests.length, 1);
  });

  test("tries count toward the endpoint's circuit; an open circuit is not even tried", async () => {
    const r = await receiver(json(503, 'down'));
    const ops = await receiver();
    const setup = await agentWithResponder(r.url, 'Circuit');
    await setup.client.request(SetOperationalWebhookDocument, { input: { url: ops.url } });
    const first = await requestSetup(setup, { deadlineMs: 3000 });
    assert.equal(first.setup.attempts.length, 5);
    // Five failures in a row open the circuit (HOOKLINE_CIRCUIT_FAILURE_THRESHOLD).
    const circuit = await eventually(async () => {
      const { webhook } = await setup.client.request(WebhookDocument, { id: setup.webhookId });
      return webhook?.circuit.state === 'OPEN' ? webhook.circuit : undefined;
    });
    assert.equal(circuit.consecutiveFailures, 5);
    // The organization's operational endpoint hears of it, as of a circuit the worker opened.
    const opened = await eventually(() =>
      ops.requests
        .map((req) => JSON.parse(req.body) as { type: string; data: { webhook: { id: string } } })
        .find((e) => e.type === 'endpoint.circuit_opened' && e.data.webhook.id === setup.webhookId),
    );
    assert.ok(opened);

    const asked = r.requests.length;
    const second = await requestSetup(setup);
    assert.equal(second.setup.outcome, 'FALLBACK');
    assert.equal(second.setup.reason, 'circuit_open');
    assert.deepEqual(second.setup.variables, FALLBACK);
    assert.deepEqual(second.setup.attempts, []);
    assert.equal(r.requests.length, asked, 'nobody was contacted');
  });
});

describe('blocked addresses', () => {
  let strict: TestServer;
  before(async () => {
    strict = await startTestServer('call_setup_ssrf', { HOOKLINE_ALLOW_NETWORKS: '' });
  });
  after(() => strict.stop());

  test('a responder whose name resolves to loopback is refused: blocked_address', async () => {
    const r = await receiver(json(200, { variables: { leaked: true } }));
    const { client } = await strict.newOrganization('Sneaky');
    const agent = (
      await client.request(CreateAgentDocument, {
        input: { name: 'Reception', callSetupFallback: FALLBACK },
      })
    ).createAgent.agent;
    const webhook = (
      await client.request(CreateWebhookDocument, {
        input: { url: r.url.replace('127.0.0.1', 'localhost') },
      })
    ).createWebhook.webhook;
    await client.request(AttachWebhookDocument, {
      input: {
        webhookId: webhook.id,
        agentId: agent.id,
        events: ['PRE_CONVERSATION'],
        respondsToCallSetup: true,
      },
    });
    const result = await requestSetup({ client, agentId: agent.id });
    assert.equal(result.setup.outcome, 'FALLBACK');
    assert.equal(result.setup.reason, 'blocked_address');
    assert.deepEqual(result.setup.variables, FALLBACK);
    assert.equal(r.requests.length, 0);
  });
});

describe('the responder and the other subscribers', () => {
  test('a second responder for one agent is refused with CONFLICT', async () => {
    const setup = await agentWithResponder((await receiver()).url, 'Two responders');
    const other = (
      await setup.client.request(CreateWebhookDocument, { input: { url: 'https://example.com/' } })
    ).createWebhook.webhook;
    await expectCode(
      setup.client.request(AttachWebhookDocument, {
        input: {
          webhookId: other.id,
          agentId: setup.agentId,
          events: ['PRE_CONVERSATION'],
          respondsToCallSetup: true,
        },
      }),
      'CONFLICT',
    );
    // As a plain subscriber it is welcome; and the first may be attached again as responder.
    await setup.client.request(AttachWebhookDocument, {
      input: { webhookId: other.id, agentId: setup.agentId, events: ['PRE_CONVERSATION'] },
    });
    const again = await setup.client.request(AttachWebhookDocument, {
      input: {
        webhookId: setup.webhookId,
        agentId: setup.agentId,
        events: ['PRE_CONVERSATION', 'POST_CONVERSATION'],
        respondsToCallSetup: true,
      },
    });
    assert.equal(again.attachWebhook.subscription.respondsToCallSetup, true);
  });

  test('other subscribers get the event through the queue; the responder is not sent it twice', async () => {
    const responder = await receiver(json(200, { variables: { ok: 1 } }));
    const subscriber = await receiver();
    const setup = await agentWithResponder(responder.url, 'Fan-out');
    const plain = (
      await setup.client.request(CreateWebhookDocument, { input: { url: subscriber.url } })
    ).createWebhook.webhook;
    await setup.client.request(AttachWebhookDocument, {
      input: { webhookId: plain.id, agentId: setup.agentId, events: ['PRE_CONVERSATION'] },
    });
    const result = await requestSetup(setup);
    assert.equal(result.setup.outcome, 'ANSWERED');

    const [received] = await subscriber.waitFor(1);
    assert.equal(JSON.parse(received!.body).type, 'pre-conversation');
    const deliveries = await eventually(async () => {
      const all = await deliveriesOf(setup.client, result.event.id, 2);
      return all.every((d) => d.status === 'SUCCEEDED') ? all : undefined;
    });
    assert.deepEqual(
      deliveries.map((d) => [d.webhook.id, d.kind]).sort(),
      [
        [plain.id, 'NOTIFICATION'],
        [setup.webhookId, 'CALL_SETUP'],
      ].sort(),
    );
    // The responder was asked once: the call setup, and no notification besides.
    assert.equal(responder.requests.length, 1);
  });

  test('an idempotent repeat returns the first answer and asks nobody again', async () => {
    let answers = 0;
    const r = await receiver(async (req, res) => {
      answers++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      json(200, { variables: { answer: answers } })(req, res);
    });
    const setup = await agentWithResponder(r.url, 'Repeats');
    const key = 'call_77:setup';
    // Two at once: the second waits for the first's answer.
    const [first, concurrent] = await Promise.all([
      requestSetup(setup, { idempotencyKey: key, payload: preConversation('call_77') }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        requestSetup(setup, { idempotencyKey: key, payload: preConversation('call_77') }),
      ),
    ]);
    const later = await requestSetup(setup, {
      idempotencyKey: key,
      payload: preConversation('call_77'),
    });
    assert.deepEqual(first.setup.variables, { answer: 1 });
    for (const repeat of [concurrent, later]) {
      assert.equal(repeat.event.id, first.event.id);
      assert.equal(repeat.setup.outcome, 'ANSWERED');
      assert.deepEqual(repeat.setup.variables, { answer: 1 });
      assert.deepEqual(
        repeat.setup.attempts.map((a) => a.id),
        first.setup.attempts.map((a) => a.id),
      );
    }
    assert.equal(r.requests.length, 1);
  });

  test('every try is on the live feed (graphql-ws), as a delivery attempt of the agent', async () => {
    let calls = 0;
    const r = await receiver((req, res) =>
      ++calls === 1
        ? json(502, 'bad gateway')(req, res)
        : json(200, { variables: { a: 1 } })(req, res),
    );
    const setup = await agentWithResponder(r.url, 'Live');
    const feed = collect(
      mapItems(
        setup.client.subscribe(DeliveryAttemptsDocument, { agentId: setup.agentId }),
        (d: DeliveryAttemptsSubscription) => d.deliveryAttempts,
      ),
    );
    await subscribersToBe(server.hookline.runtime.liveFeeds, 1);
    const result = await requestSetup(setup);
    assert.equal(result.setup.attempts.length, 2);
    for (const attempt of result.setup.attempts) {
      const seen = await feed.waitFor(
        (a) => a.id === attempt.id,
        `attempt ${attempt.attemptNumber}`,
      );
      assert.equal(seen.responseStatus, attempt.responseStatus);
      assert.equal(seen.delivery.event.type, 'PRE_CONVERSATION');
      assert.equal(seen.delivery.webhook.id, setup.webhookId);
    }
    await feed.stop();
  });
});

test("the answer's JSON Schema is served by the API, needs no key, and is the one the docs show", async () => {
  const { callSetupAnswerSchema } = await server.client().request(CallSetupAnswerSchemaDocument);
  const page = await readFile(resolve(import.meta.dirname, '../../docs/call-hooks.md'), 'utf8');
  const shown = /<!-- callSetupAnswerSchema -->\n```json\n([\s\S]*?)\n```/.exec(page)?.[1];
  assert.ok(shown, 'docs/call-hooks.md shows the schema');
  assert.deepEqual(JSON.parse(shown), callSetupAnswerSchema);
});
