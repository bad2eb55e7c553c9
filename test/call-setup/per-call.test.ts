import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  EmitEventDocument,
  type EventType,
  type HooklineClient,
  PurgeCallDocument,
  RequestCallSetupDocument,
  UpdateWebhookDocument,
  WebhookDocument,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * What Hookline does per call: ordered delivery for endpoints that ask for it (orderByCall), and
 * erasure of a call (purgeCall), against a real Hookline, PostgreSQL and receivers.
 */

/** Retries after a first failed attempt, 0.2 s apart (each found by a worker's poll, ~1 s). */
const RETRIES = 6;

const receivers: Receiver[] = [];
async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

let server: TestServer;
before(async () => {
  server = await startTestServer('per_call', {
    HOOKLINE_RETRY_SCHEDULE: Array(RETRIES).fill('0.2').join(','),
    // Failures here are a call's own; no circuit should hold its endpoint meanwhile.
    HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '100',
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
  });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

const ALL_TYPES: EventType[] = ['PRE_CONVERSATION', 'POST_CONVERSATION', 'ANALYTICS_COMPLETED'];

const postConversation = (callId: string) => ({
  callId,
  durationSeconds: 61,
  endedReason: 'caller_hung_up',
  transcript: [{ role: 'user', text: 'Thanks, bye.' }],
  recordingUrl: `https://recordings.example.com/${callId}.wav`,
});

const payloadOf = (type: EventType, callId: string) =>
  type === 'PRE_CONVERSATION'
    ? preConversation(callId)
    : type === 'POST_CONVERSATION'
      ? postConversation(callId)
      : analyticsCompleted(callId);

async function emit(client: HooklineClient, agentId: string, type: EventType, callId: string) {
  return (
    await client.request(EmitEventDocument, {
      input: { agentId, type, payload: payloadOf(type, callId) },
    })
  ).emitEvent.event.id;
}

/** An organization's agent with one webhook to `url`, subscribed to every event type. */
async function agentWithWebhook(client: HooklineClient, url: string, orderByCall: boolean) {
  const agent = (await client.request(CreateAgentDocument, { input: { name: 'Calls' } }))
    .createAgent.agent;
  const webhook = (await client.request(CreateWebhookDocument, { input: { url, orderByCall } }))
    .createWebhook.webhook;
  assert.equal(webhook.orderByCall, orderByCall);
  await client.request(AttachWebhookDocument, {
    input: { webhookId: webhook.id, agentId: agent.id, events: ALL_TYPES },
  });
  return { agentId: agent.id, webhookId: webhook.id };
}

const messageOf = (request: ReceivedRequest) =>
  JSON.parse(request.body) as { type: string; data: { callId: string } };

describe('ordered delivery per call', () => {
  test("a call's events arrive in order while its endpoint fails and recovers; another call's go on meanwhile", async () => {
    const answered: ReceivedRequest[] = [];
    const bDone = () => answered.filter((q) => messageOf(q).data.callId === 'call_B').length === 3;
    let preFailures = 0;
    const r = await receiver((request, res) => {
      const { type, data } = messageOf(request);
      // Call A's first event fails (twice at least) until call B is through, then recovers.
      const failing = preFailures < 2 || (!bDone() && preFailures < RETRIES);
      if (data.callId === 'call_A' && type === 'pre-conversation' && failing) {
        preFailures++;
        res.writeHead(500).end();
        return;
      }
      answered.push(request);
      res.writeHead(200).end();
    });
    const { client } = await server.newOrganization('Ordered');
    const { agentId } = await agentWithWebhook(client, r.url, true);
    for (const type of ALL_TYPES) await emit(client, agentId, type, 'call_A');
    for (const type of ALL_TYPES) await emit(client, agentId, type, 'call_B');

    await eventually(() => (answered.length === 6 ? true : undefined), {
      message: 'six events answered',
    });
    const order = (callId: string) =>
      answered.map(messageOf).flatMap((m) => (m.data.callId === callId ? [m.type] : []));
    const inOrder = ['pre-conversation', 'post-conversation', 'analytics-completed'];
    assert.deepEqual(order('call_A'), inOrder);
    assert.deepEqual(order('call_B'), inOrder);
    // Call A's later events were not even tried before its first succeeded...
    const sent = r.requests.map(messageOf);
    const firstA = sent.findIndex(
      (m) => m.data.callId === 'call_A' && m.type !== 'pre-conversation',
    );
    assert.equal(
      sent.slice(0, firstA).filter((m) => m.data.callId === 'call_A').length,
      preFailures + 1,
      'the failed tries and the success of the first event, before any other event of the call',
    );
    // ...while call B went through from start to end.
    const lastB = answered.findLastIndex((q) => messageOf(q).data.callId === 'call_B');
    const firstAnsweredA = answered.findIndex((q) => messageOf(q).data.callId === 'call_A');
    assert.ok(lastB < firstAnsweredA, 'call B was delivered while call A waited for its retries');
  });

  test('a call waits for an earlier event that FAILED, then goes on; orderByCall can be turned off', async () => {
    const r = await receiver((request, res) => {
      const { type } = messageOf(request);
      res.writeHead(type === 'pre-conversation' ? 410 : 200).end();
    });
    const { client } = await server.newOrganization('Gone');
    const { agentId, webhookId } = await agentWithWebhook(client, r.url, true);
    await emit(client, agentId, 'PRE_CONVERSATION', 'call_C');
    await emit(client, agentId, 'POST_CONVERSATION', 'call_C');
    // 410 is retried like any failure until the schedule runs out; then the next event goes.
    await r.waitFor(RETRIES + 2);
    const types = r.requests.map((q) => messageOf(q).type);
    assert.deepEqual(types, [...Array(RETRIES + 1).fill('pre-conversation'), 'post-conversation']);

    const off = await client.request(UpdateWebhookDocument, {
      input: { id: webhookId, orderByCall: false },
    });
    assert.equal(off.updateWebhook.webhook.orderByCall, false);
    const { webhook } = await client.request(WebhookDocument, { id: webhookId });
    assert.equal(webhook?.orderByCall, false);
  });
});

describe('erasure per call', () => {
  async function tableRowsMentioning(text: string): Promise<Record<string, number>> {
    const db = new pg.Client({ connectionString: server.database.url });
    await db.connect();
    try {
      const { rows: tables } = await db.query<{ schema: string; name: string }>(
        `select table_schema as schema, table_name as name from information_schema.tables
         where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`,
      );
      const found: Record<string, number> = {};
      for (const { schema, name } of tables) {
        const { rows } = await db.query(
          `select count(*)::int as n from "${schema}"."${name}" t where t::text like $1`,
          [`%${text}%`],
        );
        if (rows[0].n > 0) found[`${schema}.${name}`] = rows[0].n;
      }
      return found;
    } finally {
      await db.end();
    }
  }

  test('purgeCall leaves nothing of the call in any table, and nothing of other calls is touched', async (t) => {
    const erased = `call_erase_${randomBytes(4).toString('hex')}`;
    const kept = `call_keep_${randomBytes(4).toString('hex')}`;
    // The subscriber holds the erased call's requests until after the purge (attempts in flight
    // meanwhile), and fails the others, echoing what it got: pending retries, and response
    // bodies that carry the call's data.
    const held: Array<() => void> = [];
    const failing = await receiver((request, res) => {
      const answer = () =>
        res.writeHead(500, { 'content-type': 'application/json' }).end(request.body);
      if (messageOf(request).data.callId === erased) held.push(answer);
      else answer();
    });
    const responder = await receiver((request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ variables: { callId: messageOf(request).data.callId } }));
    });
    const mine = await server.newOrganization('Erasing');
    const { agentId } = await agentWithWebhook(mine.client, failing.url, false);
    const responderHook = (
      await mine.client.request(CreateWebhookDocument, { input: { url: responder.url } })
    ).createWebhook.webhook;
    await mine.client.request(AttachWebhookDocument, {
      input: {
        webhookId: responderHook.id,
        agentId,
        events: ['ANALYTICS_COMPLETED'],
        respondsToCallSetup: true,
      },
    });
    const theirs = await server.newOrganization('Same call id elsewhere');
    const theirReceiver = await receiver();
    const other = await agentWithWebhook(theirs.client, theirReceiver.url, false);

    for (const callId of [erased, kept]) {
      const setup = await mine.client.request(RequestCallSetupDocument, {
        input: { agentId, payload: preConversation(callId), idempotencyKey: `${callId}:setup` },
      });
      assert.equal(setup.requestCallSetup.setup.outcome, 'ANSWERED');
      await emit(mine.client, agentId, 'POST_CONVERSATION', callId);
      await emit(mine.client, agentId, 'ANALYTICS_COMPLETED', callId);
    }
    await emit(theirs.client, other.agentId, 'POST_CONVERSATION', erased);
    // The erased call: its setup answered (with its id in the body), its analytics answered by
    // the responder, its three notifications to the subscriber in flight; the same call id in
    // another organization, delivered.
    await eventually(() => (held.length === 3 ? true : undefined), { message: 'three held' });
    await responder.waitFor(4);
    await theirReceiver.waitFor(1);

    const db = new pg.Client({ connectionString: server.database.url });
    await db.connect();
    t.after(() => db.end());
    const { rows: eventRows } = await db.query<{ id: string }>(
      'select id from events where call_id = $1 and organization_id = $2',
      [erased, mine.organizationId],
    );
    const eventIds = eventRows.map((row) => row.id);
    assert.equal(eventIds.length, 3);
    const before = await tableRowsMentioning(erased);
    assert.equal(before['public.events'], 4, JSON.stringify(before));
    assert.ok(before['public.delivery_attempts']! >= 2, JSON.stringify(before));
    const keptBefore = await tableRowsMentioning(kept);

    const { purgeCall } = await mine.client.request(PurgeCallDocument, {
      input: { callId: erased },
    });
    assert.equal(purgeCall.events, 3);
    // The attempts in flight end now: their results must not bring anything back.
    for (const answer of held.splice(0)) answer();
    await eventually(
      async () => {
        const { rows } = await db.query(
          `select count(*)::int as n from pgboss.job j
         where j.name = 'hookline-delivery' and j.state in ('created', 'retry', 'active')
           and not exists (select 1 from deliveries d where d.id = j.data->>'deliveryId')`,
        );
        return rows[0].n === 0 ? true : undefined;
      },
      { message: "the erased deliveries' jobs to end" },
    );

    // Nothing of the call is left in any table (pg-boss's included: its jobs carry ids only)
    // but the other organization's event with the same call id.
    assert.deepEqual(await tableRowsMentioning(erased), {
      'public.events': 1,
      'public.deliveries': 1,
    });
    const { rows: left } = await db.query(
      `select
         (select count(*)::int from events where id = any($1)) as events,
         (select count(*)::int from deliveries where event_id = any($1)) as deliveries,
         (select count(*)::int from call_setups where event_id = any($1)) as setups,
         (select count(*)::int from deliveries where call_id = $2) as other_deliveries`,
      [eventIds, erased],
    );
    assert.deepEqual(left[0], { events: 0, deliveries: 0, setups: 0, other_deliveries: 1 });
    assert.equal(
      failing.requests.filter((q) => messageOf(q).data.callId === erased).length,
      3,
      'the three in flight, and nothing tried after the purge',
    );
    // The other call is untouched.
    const keptAfter = await tableRowsMentioning(kept);
    assert.equal(keptAfter['public.events'], keptBefore['public.events']);
    assert.ok(
      (keptAfter['public.delivery_attempts'] ?? 0) >= (keptBefore['public.delivery_attempts'] ?? 0),
    );
    const { rows: keptSetups } = await db.query(
      `select count(*)::int as n from call_setups s join events e on e.id = s.event_id
       where e.call_id = $1`,
      [kept],
    );
    assert.equal(keptSetups[0].n, 1);

    const again = await mine.client.request(PurgeCallDocument, { input: { callId: erased } });
    assert.equal(again.purgeCall.events, 0);
  });
});
