import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateOrganizationDocument,
  CreateWebhookDocument,
  createHooklineClient,
  EmitEventDocument,
  type EventType,
  type HooklineClient,
} from '@hookline/client';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { analyticsCompleted, preConversation } from '../support/fixtures.ts';
import {
  type LedgerEndpoints,
  type LedgerEntry,
  seededRandom,
  startLedgerEndpoints,
} from '../support/ledger-endpoints.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * The ledger: thousands of events through the GraphQL API to fifty endpoints that fail one
 * request in ten, then a reconciliation of three books that must agree. Our model of the
 * subscriptions says which (event, endpoint) pairs are owed; the database says which deliveries
 * exist, how each ended and which attempts it logged; the endpoints say what they received and
 * answered. Every pair owed is a delivery, every delivery SUCCEEDED and was received with a 2xx,
 * and each delivery's attempt log is exactly the requests its endpoint saw for its webhook-id,
 * status for status. Duplicates (a pair answered 2xx more than once) are counted and reported.
 */
const EVENTS = Number(process.env.TEST_LEDGER_EVENTS ?? 5_000);
const ENDPOINTS = 50;
const AGENTS = 25;
const FAILURE_RATE = 0.1;
const EMIT_CONCURRENCY = Number(process.env.TEST_LEDGER_CONCURRENCY ?? 16);
const RETRY_SCHEDULE = Array.from({ length: 8 }, () => '0.2').join(',');
const DRAIN_TIMEOUT_MS = 150_000;
const SEED = Number(process.env.TEST_LEDGER_SEED ?? Date.now() % 2 ** 31);

let database: TestDatabase | undefined;
let endpoints: LedgerEndpoints | undefined;
const clients: HooklineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await endpoints?.close();
  await database?.drop();
});

/**
 * Who receives what. Webhook w serves agent w % 25 for both event types, so every event goes to
 * two endpoints; every fifth webhook also takes one other agent's ANALYTICS_COMPLETED, so some
 * of those go to three.
 */
function subscriptionsOf(webhook: number): Array<{ agent: number; events: EventType[] }> {
  const subscriptions: Array<{ agent: number; events: EventType[] }> = [
    { agent: webhook % AGENTS, events: ['PRE_CONVERSATION', 'ANALYTICS_COMPLETED'] },
  ];
  if (webhook % 5 === 0) {
    subscriptions.push({ agent: (webhook * 3 + 1) % AGENTS, events: ['ANALYTICS_COMPLETED'] });
  }
  return subscriptions;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

test(`ledger: ${EVENTS} events to ${ENDPOINTS} endpoints failing ${FAILURE_RATE * 100} % at random all balance`, {
  timeout: 300_000,
}, async (t) => {
  const started = Date.now();
  t.diagnostic(`seed ${SEED} (TEST_LEDGER_SEED replays the endpoints' answers)`);
  const random = seededRandom(SEED);
  database = await createTestDatabase('ledger');
  endpoints = await startLedgerEndpoints(ENDPOINTS, {
    failureRate: FAILURE_RATE,
    random: seededRandom(SEED ^ 0x5bd1e995),
  });
  const hookline: HooklineProcess = await startHooklineProcess({
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    HOOKLINE_RETRY_SCHEDULE: RETRY_SCHEDULE,
    HOOKLINE_DB_POOL_SIZE: '20',
    LOG_LEVEL: 'warn',
    // One key emits everything: the per-key mutation limit would throttle the ledger itself.
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
    // A circuit opened by a run of random failures is probed again within a second.
    HOOKLINE_CIRCUIT_PROBE_SECONDS: '1',
    HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS: '2',
  });
  await hookline.waitReady();

  // Set-up through the API: agents, one webhook per endpoint, subscriptions per the model.
  const operator = createHooklineClient({ url: hookline.url, apiKey: TEST_ADMIN_KEY });
  clients.push(operator);
  const org = await operator.request(CreateOrganizationDocument, { input: { name: 'Ledger' } });
  const client = createHooklineClient({
    url: hookline.url,
    apiKey: org.createOrganization.apiKey,
  });
  clients.push(client);
  const agentIds: string[] = [];
  for (let a = 0; a < AGENTS; a++) {
    const created = await client.request(CreateAgentDocument, { input: { name: `agent ${a}` } });
    agentIds.push(created.createAgent.agent.id);
  }
  const webhookIds: string[] = [];
  /** agent index + type -> endpoint indexes owed each such event */
  const owed = new Map<string, number[]>();
  for (let w = 0; w < ENDPOINTS; w++) {
    const webhook = await client.request(CreateWebhookDocument, {
      input: { url: endpoints.urls[w]!, description: `endpoint ${w}` },
    });
    webhookIds.push(webhook.createWebhook.webhook.id);
    for (const { agent, events } of subscriptionsOf(w)) {
      await client.request(AttachWebhookDocument, {
        input: { webhookId: webhookIds[w]!, agentId: agentIds[agent]!, events },
      });
      for (const type of events) {
        const key = `${agent} ${type}`;
        owed.set(key, [...(owed.get(key) ?? []), w]);
      }
    }
  }
  const setupMs = Date.now() - started;

  // Emit through the GraphQL API, EMIT_CONCURRENCY at a time.
  const events: Array<{ callId: string; eventId: string; endpoints: number[] }> = [];
  const plan = Array.from({ length: EVENTS }, (_, i) => ({
    callId: `ledger_${i}`,
    agent: Math.floor(random() * AGENTS),
    type: (i % 2 === 0 ? 'PRE_CONVERSATION' : 'ANALYTICS_COMPLETED') as EventType,
  }));
  let next = 0;
  const emitStarted = Date.now();
  await Promise.all(
    Array.from({ length: EMIT_CONCURRENCY }, async () => {
      while (next < plan.length) {
        const { callId, agent, type } = plan[next++]!;
        const payload =
          type === 'PRE_CONVERSATION' ? preConversation(callId) : analyticsCompleted(callId);
        const result = await client.request(EmitEventDocument, {
          input: { agentId: agentIds[agent]!, type, payload },
        });
        events.push({
          callId,
          eventId: result.emitEvent.event.id,
          endpoints: owed.get(`${agent} ${type}`) ?? [],
        });
      }
    }),
  );
  const emitMs = Date.now() - emitStarted;
  const pairsOwed = events.reduce((n, e) => n + e.endpoints.length, 0);
  t.diagnostic(
    `set-up ${seconds(setupMs)}; emitted ${events.length} events (${pairsOwed} deliveries owed) ` +
      `in ${seconds(emitMs)} (${Math.round(events.length / (emitMs / 1000))} events/s)`,
  );

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    // Wait until nothing is pending any more.
    const drainStarted = Date.now();
    let byStatus: Record<string, number> = {};
    while (true) {
      const { rows } = await db.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from deliveries group by status',
      );
      byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      const total = rows.reduce((n, r) => n + r.n, 0);
      // HELD is unfinished too: a run of random failures may open an endpoint's circuit, and
      // its deliveries wait for the probe that closes it again.
      if (total >= pairsOwed && !byStatus.PENDING && !byStatus.HELD) break;
      if (Date.now() - drainStarted > DRAIN_TIMEOUT_MS) {
        assert.fail(
          `deliveries still pending after ${seconds(DRAIN_TIMEOUT_MS)}: ${JSON.stringify(byStatus)}` +
            ` (${endpoints.entries.length} requests received)\n${hookline.output().slice(-3_000)}`,
        );
      }
      await new Promise((ok) => setTimeout(ok, 500));
    }
    const drainMs = Date.now() - drainStarted;
    t.diagnostic(
      `drained ${seconds(drainMs)} after the last emit; ${endpoints.entries.length} requests ` +
        `in all (${Math.round(endpoints.entries.length / ((emitMs + drainMs) / 1000))} requests/s)`,
    );

    // Book 1 against book 2: the deliveries are exactly the pairs owed, and all SUCCEEDED.
    const deliveries = (
      await db.query<{
        id: string;
        event_id: string;
        webhook_id: string;
        status: string;
        attempt_count: number;
      }>('select id, event_id, webhook_id, status, attempt_count from deliveries')
    ).rows;
    assert.deepEqual(byStatus, { SUCCEEDED: pairsOwed }, 'every delivery SUCCEEDED');
    const endpointOfWebhook = new Map(webhookIds.map((id, w) => [id, w]));
    const deliveryOfPair = new Map(
      deliveries.map((d) => [`${d.event_id} ${endpointOfWebhook.get(d.webhook_id)}`, d]),
    );
    assert.equal(deliveryOfPair.size, deliveries.length, 'one delivery per (event, endpoint)');
    const eventOfId = new Map(events.map((e) => [e.eventId, e]));
    for (const e of events) {
      for (const w of e.endpoints) {
        assert.ok(deliveryOfPair.has(`${e.eventId} ${w}`), `${e.callId} owed to endpoint ${w}`);
      }
    }

    // Book 3: what each endpoint received, by webhook-id.
    const received = new Map<string, LedgerEntry[]>();
    for (const entry of endpoints.entries) {
      const list = received.get(entry.webhookId) ?? [];
      list.push(entry);
      received.set(entry.webhookId, list);
    }
    const deliveryIds = new Set(deliveries.map((d) => d.id));
    const strays = [...received.keys()].filter((id) => !deliveryIds.has(id));
    assert.deepEqual(strays, [], 'every request received belongs to a delivery');

    const attempts = new Map<string, Array<{ number: number; status: number | null }>>();
    const attemptRows = await db.query<{
      delivery_id: string;
      attempt_number: number;
      response_status: number | null;
    }>(
      'select delivery_id, attempt_number, response_status from delivery_attempts order by delivery_id, attempt_number',
    );
    for (const row of attemptRows.rows) {
      const list = attempts.get(row.delivery_id) ?? [];
      list.push({ number: row.attempt_number, status: row.response_status });
      attempts.set(row.delivery_id, list);
    }

    let duplicates = 0;
    let retried = 0;
    const mismatches: string[] = [];
    for (const d of deliveries) {
      const event = eventOfId.get(d.event_id)!;
      const endpoint = endpointOfWebhook.get(d.webhook_id)!;
      const got = received.get(d.id) ?? [];
      const logged = attempts.get(d.id) ?? [];
      const where = `${event.callId} to endpoint ${endpoint} (${d.id})`;
      // Received, at the right endpoint, with this event, answered 2xx at least once.
      const successes = got.filter((g) => g.status >= 200 && g.status < 300).length;
      if (successes === 0) mismatches.push(`${where}: never answered 2xx`);
      if (successes > 1) duplicates += successes - 1;
      if (got.length > 1) retried++;
      for (const g of got) {
        if (g.endpoint !== endpoint) mismatches.push(`${where}: arrived at endpoint ${g.endpoint}`);
        if (g.callId !== event.callId) mismatches.push(`${where}: carried ${g.callId}`);
      }
      // The attempt log is what the endpoint saw, in order, status for status.
      const loggedStatuses = logged.map((a) => a.status);
      const seenStatuses = got.map((g) => g.status);
      if (JSON.stringify(loggedStatuses) !== JSON.stringify(seenStatuses)) {
        mismatches.push(`${where}: logged ${loggedStatuses}, endpoint saw ${seenStatuses}`);
      }
      if (logged.some((a, i) => a.number !== i + 1) || d.attempt_count !== logged.length) {
        mismatches.push(`${where}: attempt numbers ${logged.map((a) => a.number)}`);
      }
    }
    t.diagnostic(
      `${deliveries.length} deliveries, ${attemptRows.rows.length} attempts logged, ` +
        `${endpoints.entries.length} requests received; ${retried} deliveries needed a retry; ` +
        `${duplicates} duplicates (a pair answered 2xx more than once); total ${seconds(Date.now() - started)}`,
    );
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
    assert.equal(attemptRows.rows.length, endpoints.entries.length);
  } finally {
    await db.end();
  }
  assert.equal(await hookline.stop(), 0);
});
