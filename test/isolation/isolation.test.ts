import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  DeliveriesDocument,
  DeliveryUpdatedDocument,
  EmitEventDocument,
  type HooklineClient,
  UpdateWebhookDocument,
  WebhookDocument,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { collect } from '../support/live.ts';
import { metricValue, scrape } from '../support/metrics.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * One customer's broken or busy endpoint must never delay anyone else: each rule of
 * src/deliveries/policies against a real Hookline, real PostgreSQL and real receivers.
 */

const receivers: Receiver[] = [];
async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

/** Answers nothing, ever: every request it gets holds a worker's slot until the timeout. */
function hanging(): { respond: Receiver['respond']; open: Set<ServerResponse> } {
  const open = new Set<ServerResponse>();
  return {
    open,
    respond: (_req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
    },
  };
}

async function emitMany(client: HooklineClient, agentId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) =>
        client.request(EmitEventDocument, {
          input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(`call_${i + j}`) },
        }),
      ),
    );
  }
}

async function countWhere(server: TestServer, sql: string, values: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  try {
    const { rows } = await client.query(sql, values);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

const pendingOf = (server: TestServer, webhookIds: string[]) =>
  countWhere(
    server,
    `select count(*)::int as n from deliveries where webhook_id = any($1) and status = 'PENDING'`,
    [webhookIds],
  );

describe('per-endpoint concurrency and fair share', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('isolation_share', {
      HOOKLINE_WORKER_CONCURRENCY: '8',
      HOOKLINE_ENDPOINT_CONCURRENCY: '2',
      // A hanging endpoint holds its slots far longer than any test waits.
      HOOKLINE_REQUEST_TIMEOUT_MS: '120000',
      HOOKLINE_SHUTDOWN_TIMEOUT_MS: '500',
      HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
    });
  });
  after(() => server.stop());

  test("a hanging endpoint holds only its own slots: another organization's event goes out meanwhile", async () => {
    const stuck = hanging();
    const a = await receiver(stuck.respond);
    const orgA = await server.newOrganization('Stuck Voice');
    const { agentId, webhookId } = await agentWithWebhook(orgA.client, a.url);
    await emitMany(orgA.client, agentId, 30);
    await a.waitFor(2);

    const b = await receiver();
    const orgB = await server.newOrganization('Healthy Voice');
    const healthy = await agentWithWebhook(orgB.client, b.url);
    await orgB.client.request(EmitEventDocument, {
      input: { agentId: healthy.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    await b.waitFor(1);

    // A's endpoint never got more than its two slots, and the rest of its deliveries still wait.
    assert.equal(a.requests.length, 2);
    assert.equal(stuck.open.size, 2);
    assert.equal(await pendingOf(server, [webhookId]), 30);
    for (const res of stuck.open) res.destroy();
  });

  test("raising a webhook's maxConcurrency lets more of its waiting deliveries out at once", async () => {
    const stuck = hanging();
    const r = await receiver(stuck.respond);
    const { client } = await server.newOrganization('Growing Voice');
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await emitMany(client, agentId, 12);
    await r.waitFor(2);
    assert.equal(stuck.open.size, 2);
    const raised = await client.request(UpdateWebhookDocument, {
      input: { id: webhookId, maxConcurrency: 5 },
    });
    assert.equal(raised.updateWebhook.webhook.maxConcurrency, 5);
    // Nothing has finished (everything hangs): the waiting ones go out as room appears.
    await r.waitFor(5);
    assert.equal(stuck.open.size, 5);
    for (const res of stuck.open) res.destroy();
  });

  test("a quiet organization's fresh event does not queue behind a busy one's backlog", async () => {
    const slow = await receiver(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res.writeHead(200).end();
    });
    const busy = await server.newOrganization('Busy Voice');
    const agent = (
      await busy.client.request(CreateAgentDocument, { input: { name: 'Outbound campaign' } })
    ).createAgent.agent;
    // Four endpoints of two slots each: together they could take every slot of the worker.
    const webhookIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { webhook } = (
        await busy.client.request(CreateWebhookDocument, { input: { url: `${slow.url}/${i}` } })
      ).createWebhook;
      await busy.client.request(AttachWebhookDocument, {
        input: { webhookId: webhook.id, agentId: agent.id, events: ['PRE_CONVERSATION'] },
      });
      webhookIds.push(webhook.id);
    }
    await emitMany(busy.client, agent.id, 100);
    await slow.waitFor(8);

    const quick = await receiver();
    const quiet = await server.newOrganization('Quiet Voice');
    const { agentId } = await agentWithWebhook(quiet.client, quick.url);
    await quiet.client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    await quick.waitFor(1);
    // First in, first out would have delivered all 400 of the busy organization's first.
    const backlog = await pendingOf(server, webhookIds);
    assert.ok(backlog > 200, `the busy organization still had ${backlog} deliveries pending`);
    await eventually(async () => ((await pendingOf(server, webhookIds)) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      message: 'the busy backlog to drain',
    });
  });
});

describe('circuit breaker', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('isolation_circuit', {
      HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '3',
      HOOKLINE_CIRCUIT_PROBE_SECONDS: '0.5',
      HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS: '1',
      HOOKLINE_RETRY_SCHEDULE: '0.2,0.2,0.2',
      HOOKLINE_ENDPOINT_CONCURRENCY: '1',
    });
  });
  after(() => server.stop());

  test('opens after failures in a row, holds deliveries without spending attempts, probes, and closes', async () => {
    let failing = true;
    const r = await receiver((_req, res) => {
      res.writeHead(failing ? 500 : 204).end();
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const updates = collect(client.subscribe(DeliveryUpdatedDocument, { webhookId }));
    await updates.waitFor(() => true, 'the subscription to start').catch(() => undefined);
    await emitMany(client, agentId, 6);

    const webhookOf = async () =>
      (await client.request(WebhookDocument, { id: webhookId })).webhook!;
    const opened = await eventually(
      async () => {
        const webhook = await webhookOf();
        return webhook.circuit.state !== 'CLOSED' ? webhook : undefined;
      },
      { message: 'the circuit to open' },
    );
    assert.ok(opened.circuit.consecutiveFailures >= 3);
    assert.ok(opened.circuit.openedAt);

    // Every delivery ends up held; none of them used more than the attempt that tripped the
    // circuit (or a probe) while it was open.
    const held = await eventually(
      async () => {
        const all = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
        return all.every((e) => e.node.status === 'HELD') && all.length === 6 ? all : undefined;
      },
      { message: 'all six deliveries to be held' },
    );
    await updates.waitFor((u) => u.deliveryUpdated.status === 'HELD', 'a HELD update');
    const attemptsWhenHeld = held.reduce((sum, e) => sum + e.node.attemptCount, 0);
    assert.ok(attemptsWhenHeld <= 6, `held deliveries had ${attemptsWhenHeld} attempts`);

    const circuits = await eventually(
      async () =>
        metricValue(await scrape(server.url), 'hookline_endpoint_circuits_open') || undefined,
      { message: 'the open circuit in the metrics' },
    );
    assert.equal(circuits, 1);

    // A probe fails: the circuit opens again, the wait grows, the probed delivery is held again.
    const before = r.requests.length;
    await r.waitFor(before + 1);
    const reopened = await eventually(
      async () => {
        const webhook = await webhookOf();
        return webhook.circuit.state === 'OPEN' &&
          webhook.circuit.consecutiveFailures > opened.circuit.consecutiveFailures
          ? webhook
          : undefined;
      },
      { message: 'the circuit to open again after a failed probe' },
    );
    assert.ok(reopened.circuit.nextProbeAt);

    // The endpoint recovers: the next probe succeeds and everything held goes out.
    failing = false;
    await eventually(
      async () => {
        const all = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
        return all.every((e) => e.node.status === 'SUCCEEDED') ? all : undefined;
      },
      { message: 'every delivery to succeed once the circuit closed' },
    );
    const closed = await webhookOf();
    assert.equal(closed.circuit.state, 'CLOSED');
    assert.equal(closed.circuit.consecutiveFailures, 0);
    assert.equal(closed.circuit.nextProbeAt, null);
    // Nothing was sent that is not in the attempt log, and nothing twice after success.
    const all = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const logged = all.reduce((sum, e) => sum + e.node.attemptCount, 0);
    assert.equal(r.requests.length, logged);
    const succeededIds = r.requests.filter((_, i) => i >= r.requests.length - 6);
    assert.equal(new Set(succeededIds.map((q) => q.headers['webhook-id'])).size, 6);
    await updates.stop();
  });
});

describe('rate limit and timeout per endpoint', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('isolation_rate', {
      HOOKLINE_REQUEST_TIMEOUT_MS: '10000',
      HOOKLINE_SHUTDOWN_TIMEOUT_MS: '500',
    });
  });
  after(() => server.stop());

  test('a rate limit spaces the deliveries out; they wait without failing', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const updated = await client.request(UpdateWebhookDocument, {
      input: { id: webhookId, rateLimitPerSecond: 5 },
    });
    assert.equal(updated.updateWebhook.webhook.rateLimitPerSecond, 5);
    await emitMany(client, agentId, 8);
    const requests = await r.waitFor(8);
    const times = requests.map((q) => q.receivedAt).sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Slots are 200 ms apart; a send may leave a little after its slot, never before it.
    assert.ok(
      times.at(-1)! - times[0]! >= 7 * 200 - 100,
      `8 deliveries within ${times.at(-1)! - times[0]!} ms`,
    );
    const sorted = [...gaps].sort((x, y) => x - y);
    assert.ok(sorted[Math.floor(sorted.length / 2)]! >= 150, `median gap ${sorted[3]} ms`);
    // Each was attempted once: waiting for a slot is not a failed attempt.
    const all = await eventually(
      async () => {
        const edges = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
        return edges.every((e) => e.node.status === 'SUCCEEDED') ? edges : undefined;
      },
      { message: 'every delivery to be recorded as succeeded' },
    );
    assert.deepEqual(
      all.map((e) => e.node.attemptCount),
      all.map(() => 1),
    );
  });

  test("an endpoint's own timeout ends its attempt early", async () => {
    const stuck = hanging();
    const r = await receiver(stuck.respond);
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, timeoutMs: 300 } });
    const webhook = (await client.request(WebhookDocument, { id: webhookId })).webhook!;
    assert.equal(webhook.timeoutMs, 300);
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const attempt = await eventually(
      async () => {
        const [edge] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
        return edge?.node.attempts[0];
      },
      { message: 'the first attempt' },
    );
    assert.equal(attempt.errorKind, 'timeout');
    assert.ok(attempt.durationMs >= 250 && attempt.durationMs < 5_000, `${attempt.durationMs} ms`);
  });
});

describe('retries and first attempts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('isolation_retries', {
      // One slot in all, so the order in which the worker takes jobs shows.
      HOOKLINE_WORKER_CONCURRENCY: '1',
      // Long enough for the blocker below to take the slot before the retry comes due.
      HOOKLINE_RETRY_SCHEDULE: '3',
    });
  });
  after(() => server.stop());

  test("a due retry waits behind a new event's first attempt", async () => {
    let failures = 1;
    const flaky = await receiver((_req, res) => {
      res.writeHead(failures-- > 0 ? 500 : 200).end();
    });
    let release: () => void = () => {};
    const blocker = await receiver((_req, res) => {
      release = () => res.writeHead(200).end();
    });
    const fresh = await receiver();
    const { client } = await server.newOrganization();
    const x = await agentWithWebhook(client, flaky.url);
    const z = await agentWithWebhook(client, blocker.url);
    const y = await agentWithWebhook(client, fresh.url);
    const emit = (agentId: string) =>
      client.request(EmitEventDocument, {
        input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
      });

    await emit(x.agentId);
    const retryAt = await eventually(
      async () => {
        const [edge] = (await client.request(DeliveriesDocument, { webhookId: x.webhookId }))
          .deliveries.edges;
        return edge?.node.attemptCount === 1 ? edge.node.nextAttemptAt : undefined;
      },
      { message: 'the first attempt to fail and its retry to be scheduled' },
    );
    // The blocker takes the only slot; meanwhile the retry comes due and a new event arrives.
    await emit(z.agentId);
    await blocker.waitFor(1);
    assert.ok(
      blocker.requests[0]!.receivedAt < Date.parse(retryAt!),
      'the blocker took the slot before the retry was due',
    );
    await eventually(() => (Date.now() > Date.parse(retryAt!) + 100 ? true : undefined), {
      message: 'the retry to be due',
    });
    await emit(y.agentId);
    release();
    await Promise.all([fresh.waitFor(1), flaky.waitFor(2)]);
    assert.ok(
      fresh.requests[0]!.receivedAt <= flaky.requests[1]!.receivedAt,
      'the retry went out before the new first attempt',
    );
  });
});
