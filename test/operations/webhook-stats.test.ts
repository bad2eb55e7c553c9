import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateWebhookDocument,
  DeliveriesDocument,
  EmitEventDocument,
  WebhookStatsDocument,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let receiver: Receiver;
before(async () => {
  server = await startTestServer('webhook_stats', { HOOKLINE_RETRY_SCHEDULE: '0.1' });
  // Calls named fail_* get a 500; the others a 200 after a delay that varies the latency.
  receiver = await startReceiver((req, res) => {
    const callId = JSON.parse(req.body).data.callId as string;
    const delay = Number(callId.split('_')[1]) * 15;
    setTimeout(() => {
      res.writeHead(callId.startsWith('fail') ? 500 : 200);
      res.end(callId.startsWith('fail') ? 'boom' : 'ok');
    }, delay);
  });
});
after(async () => {
  await receiver.close();
  await server.stop();
});

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

test('Webhook.stats summarises real attempts per window: counts, success rate, p50/p95, last error', async () => {
  const { client } = await server.newOrganization();
  const { agentId, webhookId } = await agentWithWebhook(client, receiver.url, ['PRE_CONVERSATION']);
  // Five successes and one delivery failing twice (the schedule has one retry): seven attempts.
  for (const callId of ['ok_1', 'ok_2', 'ok_3', 'ok_4', 'ok_5', 'fail_2']) {
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
    });
  }
  const attempts = await eventually(async () => {
    const { deliveries } = await client.request(DeliveriesDocument, { webhookId });
    const done = deliveries.edges.every((e) => e.node.status !== 'PENDING');
    const all = deliveries.edges.flatMap((e) => e.node.attempts);
    return done && all.length === 7 ? all : undefined;
  });
  // Two successes happened three days ago: only LAST_7_DAYS sees them.
  const aged = attempts.filter((a) => a.responseStatus === 200).slice(0, 2);
  const sql = new pg.Client({ connectionString: server.database.url });
  await sql.connect();
  await sql.query(
    `update delivery_attempts set started_at = started_at - interval '3 days' where id = any($1)`,
    [aged.map((a) => a.id)],
  );
  await sql.end();
  const recent = attempts.filter((a) => !aged.includes(a));
  const failures = attempts.filter((a) => a.responseStatus === 500);
  const lastFailure = failures.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1)!;

  const expectStats = (
    stats: NonNullable<Awaited<ReturnType<typeof read>>>,
    window: typeof attempts,
  ) => {
    const durations = window.map((a) => a.durationMs);
    const successes = window.filter((a) => a.responseStatus === 200).length;
    assert.equal(stats.attemptCount, window.length);
    assert.equal(stats.successCount, successes);
    assert.equal(stats.failureCount, window.length - successes);
    assert.equal(stats.successRate, successes / window.length);
    for (const [actual, p] of [
      [stats.p50LatencyMs, 0.5],
      [stats.p95LatencyMs, 0.95],
    ] as const) {
      const exact = percentile(durations, p);
      assert.ok(
        actual !== null && Math.abs(actual - exact) <= 0.5,
        `p${p * 100}: ${actual} vs ${exact}`,
      );
    }
    assert.equal(stats.lastError, 'HTTP 500');
    assert.equal(stats.lastErrorAt, lastFailure.startedAt);
  };
  const read = async (window?: 'LAST_HOUR' | 'LAST_24_HOURS' | 'LAST_7_DAYS') =>
    (await client.request(WebhookStatsDocument, { id: webhookId, window })).webhook?.stats;

  expectStats((await read('LAST_HOUR'))!, recent);
  expectStats((await read('LAST_24_HOURS'))!, recent);
  expectStats((await read())!, recent);
  expectStats((await read('LAST_7_DAYS'))!, attempts);
  assert.equal((await read('LAST_7_DAYS'))!.attemptCount, 7);
  assert.equal((await read('LAST_HOUR'))!.attemptCount, 5);
});

test('a webhook without attempts has zero counts and null rates, latencies and error', async () => {
  const { client } = await server.newOrganization();
  const { webhook } = (
    await client.request(CreateWebhookDocument, { input: { url: `${receiver.url}/idle` } })
  ).createWebhook;
  const result = await client.request(WebhookStatsDocument, { id: webhook.id });
  assert.deepEqual(result.webhook?.stats, {
    attemptCount: 0,
    successCount: 0,
    failureCount: 0,
    successRate: null,
    p50LatencyMs: null,
    p95LatencyMs: null,
    lastError: null,
    lastErrorAt: null,
  });
  // Another organization's webhook is not found, stats included.
  const other = await server.newOrganization();
  const foreign = await other.client.request(WebhookStatsDocument, { id: webhook.id });
  assert.equal(foreign.webhook, null);
});
