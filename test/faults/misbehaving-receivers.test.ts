import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  DeliveriesDocument,
  DeliveryDocument,
  type DeliveryQuery,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import { sql } from 'kysely';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { freePort } from '../support/process.ts';
import { deliveriesSettled, waitForQuiescence } from '../support/quiescence.ts';
import { type RawReceiver, startRawReceiver } from '../support/raw-receiver.ts';
import { type Receiver, type Responder, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Receivers that misbehave in every way we know of, end to end through the real worker. Each
 * misbehaviour must end as logged failed attempts that say what happened (error kind, status),
 * retried on the schedule, then FAILED; never a stuck job or a wedged worker. All of them run at
 * once, and afterwards an ordinary receiver still gets a fresh event. Every test waits for the
 * deliveries it looks at, so each stands alone (run one with --test-name-pattern).
 */
const REQUEST_TIMEOUT_MS = 1_500;
const SCHEDULE_SECONDS = [0.5, 0.5];
const ATTEMPTS = SCHEDULE_SECONDS.length + 1;
/** The shortest gap the schedule allows between the end of one attempt and the next (-20 %). */
const MIN_GAP_MS = 0.5 * 1000 * 0.8;
const MAX_RESPONSE_BYTES = 64 * 1024;
const HUGE_BODY_BYTES = 20 * 1024 * 1024;

type Attempt = NonNullable<DeliveryQuery['delivery']>['attempts'][number];

interface Case {
  name: string;
  url: string;
  /** Requests the endpoint saw, counted on its side. */
  requestsSeen(): number;
  expect: {
    status: 'FAILED' | 'SUCCEEDED';
    errorKind: string | null;
    responseStatus: number | null;
    /** Least time between one attempt's end and the next one's start. */
    minGapMs?: number;
  };
  check?(attempts: readonly Attempt[]): void;
  deliveryId?: string;
}

let server: TestServer;
let client: HooklineClient;
let agentId: string;
/** The one event that fans out to every case. */
let eventId: string;
const receivers: Array<Receiver | RawReceiver> = [];
const cases: Case[] = [];

async function receiver(respond?: Responder): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

async function rawReceiver(answer: Parameters<typeof startRawReceiver>[0]): Promise<RawReceiver> {
  const r = await startRawReceiver(answer);
  receivers.push(r);
  return r;
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams `bytes` with backpressure; `closedEarly` counts answers the client cut short. */
function streamingResponder(status: number, bytes: number) {
  const stats = { closedEarly: 0, completed: 0 };
  const respond: Responder = async (_req, res: ServerResponse) => {
    res.on('close', () => {
      if (res.writableFinished) stats.completed++;
      else stats.closedEarly++;
    });
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': bytes });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < bytes && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    if (!res.destroyed) res.end();
  };
  return { respond, stats };
}

before(async () => {
  server = await startTestServer('misbehaving_receivers', {
    HOOKLINE_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HOOKLINE_CONNECT_TIMEOUT_MS: '1000',
    HOOKLINE_RETRY_SCHEDULE: SCHEDULE_SECONDS.join(','),
  });
  const org = await server.newOrganization('Misbehaving receivers');
  client = org.client;
  // Each case attaches a webhook of its own to this agent.
  agentId = (await client.request(CreateAgentDocument, { input: { name: 'Misbehaving' } }))
    .createAgent.agent.id;
});

after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server?.stop();
});

async function httpCase(
  name: string,
  respond: Responder,
  expect: Case['expect'],
  check?: Case['check'],
): Promise<Case> {
  const r = await receiver(respond);
  const c: Case = {
    name,
    url: `${r.url}/hook`,
    requestsSeen: () => r.requests.length,
    expect,
    check,
  };
  cases.push(c);
  return c;
}

async function rawCase(
  name: string,
  answer: Parameters<typeof startRawReceiver>[0],
  expect: Case['expect'],
): Promise<void> {
  const r = await rawReceiver(answer);
  cases.push({ name, url: `${r.url}/hook`, requestsSeen: () => r.requests, expect });
}

/** The case's delivery once it is over (no longer PENDING). */
function finished(c: Case) {
  return eventually(
    async () => {
      const d = (await client.request(DeliveryDocument, { id: c.deliveryId! })).delivery;
      return d && d.status !== 'PENDING' ? d : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, message: `${c.name}: the delivery to finish` },
  );
}

const failed = (errorKind: string, responseStatus: number | null, minGapMs = MIN_GAP_MS) =>
  ({ status: 'FAILED', errorKind, responseStatus, minGapMs }) as const;

describe('misbehaving receivers', () => {
  let redirectTarget: Receiver;
  let redirecting: Case;
  let hugeError: ReturnType<typeof streamingResponder>;
  let hugeErrorCase: Case;
  let hugeSuccess: ReturnType<typeof streamingResponder>;
  let hugeSuccessCase: Case;

  before(async () => {
    await httpCase(
      'resets the connection (RST) instead of answering',
      (_req, res) => void res.socket?.resetAndDestroy(),
      failed('connection_reset', null),
    );
    await rawCase(
      'closes the connection without a word',
      (socket) => socket.end(),
      failed('connection_reset', null),
    );
    await httpCase(
      'stalls before sending headers',
      () => {
        /* never answers */
      },
      failed('timeout', null),
      (attempts) => {
        for (const a of attempts)
          assert.ok(a.durationMs >= REQUEST_TIMEOUT_MS - 100, `${a.durationMs} ms`);
      },
    );
    await httpCase(
      'stalls in the middle of the body',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100_000 });
        res.write('the first part of a body that never ends');
      },
      // The status line arrived, so it is logged; the attempt still failed.
      failed('timeout', 200),
    );
    await httpCase(
      'answers 200, then resets in the middle of the body',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100_000 });
        res.write('the first part of a body', () => {
          setTimeout(() => res.socket?.resetAndDestroy(), 50);
        });
      },
      // A 2xx whose body did not arrive whole is not a success.
      failed('connection_reset', 200),
    );
    await rawCase(
      'sends a 100 KB header',
      (socket) => socket.end(`HTTP/1.1 200 OK\r\nx-padding: ${'a'.repeat(100_000)}\r\n\r\n`),
      failed('invalid_response', null),
    );
    await httpCase(
      'answers 500 with binary garbage (NUL bytes, invalid UTF-8)',
      (_req, res) => {
        res.writeHead(500, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x00, 0xc3, 0x28, 0x42]));
      },
      failed('http_status', 500),
      // Kept, readable: PostgreSQL text holds no NUL, and invalid bytes become U+FFFD.
      (attempts) => assert.equal(attempts[0]!.responseBody, '\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFD(B'),
    );
    await httpCase(
      'answers 410 Gone',
      (_req, res) => {
        res.writeHead(410, { 'content-type': 'text/plain' });
        res.end('gone');
      },
      failed('http_status', 410),
      (attempts) => assert.ok(attempts.every((a) => a.responseBody === 'gone')),
    );
    await httpCase(
      'answers 429 with Retry-After: 2',
      (_req, res) => {
        res.writeHead(429, { 'retry-after': '2' });
        res.end();
      },
      // Retry-After replaces the 0.5 s schedule: the next attempt waits 2 s.
      failed('http_status', 429, 2_000),
    );
    redirectTarget = await receiver();
    redirecting = await httpCase(
      'redirects (302) to another receiver',
      (_req, res) => {
        res.writeHead(302, { location: `${redirectTarget.url}/elsewhere` });
        res.end();
      },
      failed('redirect', 302),
      (attempts) => assert.match(attempts[0]!.error ?? '', /not followed.*elsewhere/),
    );
    hugeError = streamingResponder(500, HUGE_BODY_BYTES);
    hugeErrorCase = await httpCase(
      'answers 500 with a 20 MB body',
      hugeError.respond,
      failed('http_status', 500),
      (attempts) => {
        for (const a of attempts) assert.equal(a.responseBody?.length, MAX_RESPONSE_BYTES);
      },
    );
    hugeSuccess = streamingResponder(200, HUGE_BODY_BYTES);
    hugeSuccessCase = await httpCase(
      'answers 200 with a 20 MB body',
      hugeSuccess.respond,
      // A 2xx is success whatever follows; only the first 64 KiB are read and kept.
      { status: 'SUCCEEDED', errorKind: null, responseStatus: 200 },
      (attempts) => assert.equal(attempts[0]!.responseBody?.length, MAX_RESPONSE_BYTES),
    );
    await rawCase(
      'answers with something that is not HTTP',
      (socket) => socket.end('THIS IS NOT HTTP\r\n\r\n'),
      failed('invalid_response', null),
    );
    await rawCase(
      'answers with a malformed Content-Length',
      (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: twelve\r\n\r\nhello'),
      failed('invalid_response', null),
    );
    const closedPort = await freePort();
    cases.push({
      name: 'is not listening at all',
      url: `http://127.0.0.1:${closedPort}/hook`,
      requestsSeen: () => 0,
      expect: failed('connection_refused', null),
    });

    // One webhook per case, then one event that fans out to all of them at once.
    const byWebhook = new Map<string, Case>();
    for (const c of cases) {
      const webhook = (
        await client.request(CreateWebhookDocument, { input: { url: c.url, description: c.name } })
      ).createWebhook.webhook;
      await client.request(AttachWebhookDocument, {
        input: { webhookId: webhook.id, agentId, events: ['PRE_CONVERSATION'] },
      });
      byWebhook.set(webhook.id, c);
    }
    const emitted = await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('call_misbehaving') },
    });
    eventId = emitted.emitEvent.event.id;
    const deliveries = await client.request(DeliveriesDocument, { eventId, first: 100 });
    for (const { node } of deliveries.deliveries.edges)
      byWebhook.get(node.webhook.id)!.deliveryId = node.id;
    assert.equal(deliveries.deliveries.edges.length, cases.length);
  });

  test('every misbehaviour ends as logged attempts that say what happened', async (t) => {
    for (const c of cases) {
      await t.test(c.name, async () => {
        const delivery = await finished(c);
        const attempts = delivery.attempts;
        const summary = JSON.stringify(
          attempts.map((a) => ({ kind: a.errorKind, status: a.responseStatus, error: a.error })),
        );
        assert.equal(delivery.status, c.expect.status, summary);
        const expectedAttempts = c.expect.status === 'SUCCEEDED' ? 1 : ATTEMPTS;
        assert.equal(attempts.length, expectedAttempts, summary);
        assert.equal(delivery.attemptCount, expectedAttempts);
        assert.deepEqual(
          attempts.map((a) => a.attemptNumber),
          Array.from({ length: expectedAttempts }, (_, i) => i + 1),
        );
        for (const a of attempts) {
          assert.equal(a.errorKind, c.expect.errorKind, summary);
          assert.equal(a.responseStatus, c.expect.responseStatus, summary);
          if (c.expect.errorKind) assert.ok(a.error, 'a failed attempt says why');
        }
        // Retried as scheduled: no attempt came before its time.
        const byNumber = [...attempts].sort((a, b) => a.attemptNumber - b.attemptNumber);
        for (let i = 1; i < byNumber.length; i++) {
          const previous = byNumber[i - 1]!;
          const previousEnd = Date.parse(previous.startedAt) + previous.durationMs;
          const gap = Date.parse(byNumber[i]!.startedAt) - previousEnd;
          assert.ok(
            gap >= (c.expect.minGapMs ?? 0) - 5,
            `attempt ${i + 1} came ${gap} ms after the previous one ended`,
          );
        }
        // What the endpoint saw matches the log (a refused connection sees nothing).
        if (c.expect.errorKind !== 'connection_refused') {
          assert.equal(c.requestsSeen(), expectedAttempts);
        }
        c.check?.(attempts);
      });
    }
  });

  test('a redirect is never followed', async () => {
    const delivery = await finished(redirecting);
    assert.equal(delivery.attempts.length, ATTEMPTS);
    assert.equal(redirectTarget.requests.length, 0);
  });

  test('a 20 MB answer is cut off after 64 KiB, not read to the end', async () => {
    await Promise.all([finished(hugeErrorCase), finished(hugeSuccessCase)]);
    // The receiver sees its side of the connection close a moment after the attempt is logged.
    const answered = () =>
      hugeError.stats.closedEarly + hugeError.stats.completed === ATTEMPTS &&
      hugeSuccess.stats.closedEarly + hugeSuccess.stats.completed === 1;
    await eventually(() => (answered() ? true : undefined), { message: 'every answer to end' });
    assert.equal(hugeError.stats.completed, 0, 'no 20 MB error answer was read to the end');
    assert.equal(hugeError.stats.closedEarly, ATTEMPTS);
    assert.equal(hugeSuccess.stats.completed, 0, 'no 20 MB success answer was read to the end');
    assert.equal(hugeSuccess.stats.closedEarly, 1);
  });

  test('afterwards the worker is healthy: nothing stuck, and a fresh event is delivered', async () => {
    await deliveriesSettled(server, { eventId, count: cases.length, timeoutMs: 60_000 });
    // Nothing stuck: no delivery owed and no job left, or this times out.
    await waitForQuiescence(server, { timeoutMs: 20_000 });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pgboss.job
       where name = 'hookline-delivery' and state <> 'completed'
    `.execute(server.hookline.database.db);
    assert.equal(rows[0]!.n, 0, 'every delivery job is completed, none failed');
    for (const path of ['/healthz', '/readyz']) {
      assert.equal((await fetch(`${server.url}${path}`)).status, 200, path);
    }
    const normal = await receiver();
    const fresh = await agentWithWebhook(client, `${normal.url}/hook`, ['ANALYTICS_COMPLETED']);
    await client.request(EmitEventDocument, {
      input: {
        agentId: fresh.agentId,
        type: 'ANALYTICS_COMPLETED',
        payload: analyticsCompleted('call_after'),
      },
    });
    const [request] = await normal.waitFor(1, 30_000);
    assert.equal(JSON.parse(request!.body).data.callId, 'call_after');
    const [delivery] = (await client.request(DeliveriesDocument, { webhookId: fresh.webhookId }))
      .deliveries.edges;
    await eventually(
      async () => {
        const d = (await client.request(DeliveryDocument, { id: delivery!.node.id })).delivery;
        return d?.status === 'SUCCEEDED' ? d : undefined;
      },
      { message: 'the fresh delivery to succeed' },
    );
  });
});
