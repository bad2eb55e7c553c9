import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateWebhookDocument,
  DeliveriesDocument,
  EmitEventDocument,
  ToggleWebhookDocument,
} from '@hookline/client';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { metricValue, scrape } from '../support/metrics.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const receivers: Receiver[] = [];
before(async () => {
  server = await startTestServer('metrics', {
    HOOKLINE_RETRY_SCHEDULE: '0.2',
    HOOKLINE_REQUEST_TIMEOUT_MS: '3000',
    // The failing endpoints here must exhaust their schedule, not trip their circuit.
    HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '1000',
  });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

test('GET /metrics counts what really happened: events, attempts by outcome, backlog, subscriptions', async () => {
  const okReceiver = await startReceiver();
  const failing = await startReceiver((_req, res) => {
    res.writeHead(503);
    res.end();
  });
  const later = await startReceiver((_req, res) => {
    res.writeHead(429, { 'retry-after': '3600' });
    res.end();
  });
  receivers.push(okReceiver, failing, later);

  const { client, apiKey } = await server.newOrganization();
  const { agentId, webhookId: okWebhook } = await agentWithWebhook(client, okReceiver.url);
  for (const url of [failing.url, 'http://127.0.0.1:1/refused']) {
    const { webhook } = (await client.request(CreateWebhookDocument, { input: { url } }))
      .createWebhook;
    await client.request(AttachWebhookDocument, {
      input: {
        webhookId: webhook.id,
        agentId,
        events: ['PRE_CONVERSATION', 'ANALYTICS_COMPLETED'],
      },
    });
  }
  // Three events for three webhooks; the idempotent replay is not a new event.
  const keyed = {
    agentId,
    type: 'PRE_CONVERSATION' as const,
    payload: preConversation('a'),
    idempotencyKey: 'call_a:pre',
  };
  await client.request(EmitEventDocument, { input: keyed });
  await client.request(EmitEventDocument, { input: keyed });
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('b') },
  });
  await client.request(EmitEventDocument, {
    input: { agentId, type: 'ANALYTICS_COMPLETED', payload: analyticsCompleted('c') },
  });
  // A fourth event whose delivery is told to come back in an hour: it stays pending.
  const laterHook = await agentWithWebhook(client, later.url, ['PRE_CONVERSATION']);
  await client.request(EmitEventDocument, {
    input: { agentId: laterHook.agentId, type: 'PRE_CONVERSATION', payload: preConversation('d') },
  });
  // A disabled webhook.
  const off = (
    await client.request(CreateWebhookDocument, { input: { url: `${okReceiver.url}/off` } })
  ).createWebhook.webhook;
  await client.request(ToggleWebhookDocument, { input: { id: off.id, enabled: false } });

  await eventually(
    async () => {
      const rows = await query<{ finished: number; later_attempts: number }>(
        `select
           (select count(*)::int from deliveries where status in ('SUCCEEDED', 'FAILED')) as finished,
           (select count(*)::int from delivery_attempts where webhook_id = $1) as later_attempts`,
        [laterHook.webhookId],
      );
      return rows[0]!.finished === 9 && rows[0]!.later_attempts === 1 ? true : undefined;
    },
    { message: 'nine deliveries finished and the deferred one attempted once' },
  );
  const okDeliveries = await client.request(DeliveriesDocument, { webhookId: okWebhook });
  assert.ok(okDeliveries.deliveries.edges.every((e) => e.node.status === 'SUCCEEDED'));
  // The deferred delivery has been due for an hour: that is lag.
  await query(
    `update deliveries set next_attempt_at = now() - interval '1 hour' where webhook_id = $1`,
    [laterHook.webhookId],
  );

  // Subscriptions over both transports, held open while we scrape.
  const sse = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ query: 'subscription { deliveryUpdated { id } }' }),
  });
  assert.equal(sse.status, 200);
  const ws = createClient({
    url: `${server.url.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${apiKey}` },
  });
  const wsSubscription = ws.iterate({ query: 'subscription { deliveryAttempts { id } }' });
  void wsSubscription.next().catch(() => {});

  const metrics = await eventually(async () => {
    const samples = await scrape(server.url);
    const open = metricValue(samples, 'hookline_active_subscriptions', { transport: 'ws' });
    return open === 1 ? samples : undefined;
  });

  // Counters, checked against the attempt log itself and against what the receivers did.
  const attempts = await query<{ outcome: string; status_class: string; n: number }>(`
    select case when error_kind is null then 'success' else 'failure' end as outcome,
           coalesce((response_status / 100)::text || 'xx', 'none') as status_class,
           count(*)::int as n
    from delivery_attempts group by 1, 2`);
  const fromLog = Object.fromEntries(attempts.map((a) => [`${a.outcome} ${a.status_class}`, a.n]));
  assert.deepEqual(fromLog, {
    'success 2xx': 3,
    'failure 5xx': 6,
    'failure none': 6,
    'failure 4xx': 1,
  });
  for (const a of attempts) {
    assert.equal(
      metricValue(metrics, 'hookline_delivery_attempts_total', {
        outcome: a.outcome,
        status_class: a.status_class,
      }),
      a.n,
      `attempts ${a.outcome} ${a.status_class}`,
    );
  }
  assert.equal(okReceiver.requests.length, 3);
  assert.equal(failing.requests.length, 6);
  assert.equal(
    metricValue(metrics, 'hookline_delivery_attempt_duration_seconds_count', {
      outcome: 'success',
    }),
    3,
  );
  assert.equal(
    metricValue(metrics, 'hookline_delivery_attempt_duration_seconds_count', {
      outcome: 'failure',
    }),
    13,
  );
  assert.equal(
    metricValue(metrics, 'hookline_events_ingested_total', { type: 'PRE_CONVERSATION' }),
    3,
  );
  assert.equal(
    metricValue(metrics, 'hookline_events_ingested_total', { type: 'ANALYTICS_COMPLETED' }),
    1,
  );

  // Gauges read from the database on scrape.
  assert.equal(metricValue(metrics, 'hookline_deliveries_pending'), 1);
  assert.equal(metricValue(metrics, 'hookline_deliveries_due'), 1);
  const lag = metricValue(metrics, 'hookline_delivery_lag_seconds');
  assert.ok(lag >= 3600 && lag < 3700, `lag ${lag}`);
  assert.equal(metricValue(metrics, 'hookline_webhooks_disabled'), 1);
  assert.equal(metricValue(metrics, 'hookline_active_subscriptions', { transport: 'sse' }), 1);
  assert.equal(metricValue(metrics, 'hookline_db_pool_max_connections'), 5);
  assert.ok(metricValue(metrics, 'hookline_db_pool_connections') >= 1);
  assert.equal(metricValue(metrics, 'hookline_db_pool_waiting_requests'), 0);

  // Hookline's own metrics are all hookline_*; the rest are the standard process metrics.
  const names = new Set(metrics.map((s) => s.name));
  for (const name of names) {
    assert.match(name, /^(hookline_|process_|nodejs_)/, name);
  }
  assert.ok(names.has('process_cpu_user_seconds_total'));

  // Ending the subscriptions brings the gauges back to zero.
  await sse.body?.cancel();
  await wsSubscription.return?.();
  await ws.dispose();
  await eventually(async () => {
    const samples = await scrape(server.url);
    const open =
      metricValue(samples, 'hookline_active_subscriptions', { transport: 'ws' }) +
      metricValue(samples, 'hookline_active_subscriptions', { transport: 'sse' });
    return open === 0 ? true : undefined;
  });
});

test('GET /metrics refuses other methods', async () => {
  const response = await fetch(`${server.url}/metrics`, { method: 'POST' });
  assert.equal(response.status, 405);
  await response.body?.cancel();
});
