import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EmitEventDocument } from '@hookline/client';
import { sql } from 'kysely';
import {
  createEventIngest,
  type IngestRequest,
  ingestBatch,
} from '../../src/events/event-ingest.ts';
import { ConflictError, NotFoundError } from '../../src/shared/errors.ts';
import { expectCode } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { waitForQuiescence } from '../support/quiescence.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Emits that arrive together share one transaction (group commit). Each caller must still get
 * exactly its own answer, whatever its neighbours in the batch are.
 */
let server: TestServer;
const receivers: Receiver[] = [];
const receiver = async () => {
  const r = await startReceiver();
  receivers.push(r);
  return r;
};

before(async () => {
  server = await startTestServer('emit_batching');
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

const request = (
  organizationId: string,
  agentId: string,
  callId: string,
  idempotencyKey: string | null = null,
): IngestRequest => ({
  organizationId,
  agentId,
  type: 'PRE_CONVERSATION',
  payload: preConversation(callId),
  idempotencyKey,
  payloadBytes: 100,
});

describe('batched ingest', () => {
  test('one batch: a repeated key, a reused key, unknown and foreign agents each get their own answer', async () => {
    const mine = await server.newOrganization('Batch A');
    const theirs = await server.newOrganization('Batch B');
    const ours = await receiver();
    const { agentId } = await agentWithWebhook(mine.client, `${ours.url}/a`);
    const foreign = await agentWithWebhook(theirs.client, `${ours.url}/b`);
    const org = mine.organizationId;
    const { db } = server.hookline.database;

    const { transactions, fanOut } = server.hookline.runtime;
    const outcomes = await transactions((trx, outbox) =>
      ingestBatch(trx, outbox, fanOut, [
        request(org, agentId, 'first', 'key-1'),
        request(org, agentId, 'first', 'key-1'),
        request(org, agentId, 'second', 'key-1'),
        request(org, 'agt_00000000000000000000000000', 'unknown'),
        request(org, agentId, 'no-key'),
        request(org, foreign.agentId, 'foreign'),
      ]),
    );

    const [first, second, reused, unknown, noKey, other] = outcomes;
    assert.ok(first?.ok && second?.ok && noKey?.ok);
    assert.equal(first.value.replayed, false);
    assert.equal(first.value.deliveryIds.length, 1);
    assert.equal(second.value.replayed, true, 'the second use of a key replays the first event');
    assert.equal(second.value.event.id, first.value.event.id);
    assert.deepEqual(second.value.deliveryIds, []);
    assert.ok(reused && !reused.ok, 'the key with another payload is refused');
    assert.ok(reused.error instanceof ConflictError);
    assert.equal(reused.error.details.eventId, first.value.event.id);
    assert.deepEqual(reused.error.details.differs, ['payload']);
    assert.equal(noKey.value.replayed, false);
    assert.notEqual(noKey.value.event.id, first.value.event.id);
    for (const refused of [unknown, other]) {
      assert.ok(refused && !refused.ok);
      assert.ok(refused.error instanceof NotFoundError);
    }

    const stored = await db
      .selectFrom('events')
      .select(['payload'])
      .where('organization_id', '=', org)
      .orderBy('id')
      .execute();
    assert.deepEqual(stored.map((row) => (row.payload as { callId: string }).callId).sort(), [
      'first',
      'no-key',
    ]);
    const foreignEvents = await db
      .selectFrom('events')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('organization_id', '=', theirs.organizationId)
      .executeTakeFirstOrThrow();
    assert.equal(foreignEvents.n, 0, 'nothing is stored for another organization');
    await ours.waitFor(2);
  });

  test('an emit the database refuses fails alone: its batch is tried again one by one', async () => {
    const { client, organizationId } = await server.newOrganization('Batch D');
    const { agentId } = await agentWithWebhook(client, `${(await receiver()).url}/d`);
    // Below the API (which refuses NUL characters up front): what the database alone rejects.
    const ingest = createEventIngest(server.hookline.runtime);
    const first = ingest(request(organizationId, agentId, 'first'));
    // While the first is being written, these five queue up and go as one batch.
    const batch = ['a', 'b', 'poison\u0000', 'c', 'd'].map((callId) =>
      ingest(request(organizationId, agentId, callId)).then(
        (ingested) => ({ callId, ok: true as const, id: ingested.event.id }),
        (error: unknown) => ({ callId, ok: false as const, error }),
      ),
    );
    await first;
    const outcomes = await Promise.all(batch);
    assert.deepEqual(
      outcomes.filter((o) => !o.ok).map((o) => o.callId),
      ['poison\u0000'],
    );
    const refused = outcomes.find((o) => !o.ok) as { error: { code?: string } };
    assert.equal(refused.error.code, '22P05', 'the database said why');
    const stored = await server.hookline.database.db
      .selectFrom('events')
      .select('payload')
      .where('organization_id', '=', organizationId)
      .execute();
    assert.deepEqual(stored.map((row) => (row.payload as { callId: string }).callId).sort(), [
      'a',
      'b',
      'c',
      'd',
      'first',
    ]);
  });

  test('many concurrent emits over HTTP: one event per key, every delivery sent once', async () => {
    const { client, organizationId } = await server.newOrganization('Batch C');
    const own = await receiver();
    const { agentId } = await agentWithWebhook(client, `${own.url}/c`);
    const emit = (callId: string, idempotencyKey?: string) =>
      client.request(EmitEventDocument, {
        input: {
          agentId,
          type: 'PRE_CONVERSATION',
          payload: preConversation(callId),
          idempotencyKey,
        },
      });
    const plain = Array.from({ length: 40 }, (_, i) => emit(`plain_${i}`));
    const keyed = Array.from({ length: 20 }, () => emit('keyed', 'same-key'));
    const unknown = Array.from({ length: 5 }, (_, i) =>
      expectCode(
        client.request(EmitEventDocument, {
          input: {
            agentId: 'agt_00000000000000000000000000',
            type: 'PRE_CONVERSATION',
            payload: preConversation(`unknown_${i}`),
          },
        }),
        'NOT_FOUND',
      ),
    );
    const [plainResults, keyedResults] = await Promise.all([
      Promise.all(plain),
      Promise.all(keyed),
      Promise.all(unknown),
    ]);
    const plainIds = new Set(plainResults.map((r) => r.emitEvent.event.id));
    assert.equal(plainIds.size, 40);
    const keyedIds = new Set(keyedResults.map((r) => r.emitEvent.event.id));
    assert.equal(keyedIds.size, 1, 'every use of the key answers with the same event');

    await own.waitFor(41);
    await waitForQuiescence(server, { organizationId });
    const callIds = own.requests.map(
      (r) => (JSON.parse(r.body) as { data: { callId: string } }).data.callId,
    );
    assert.deepEqual(
      callIds.sort(),
      [...Array.from({ length: 40 }, (_, i) => `plain_${i}`), 'keyed'].sort(),
      'one delivery per event, nothing twice',
    );
    const messageIds = new Set(own.requests.map((r) => r.headers['webhook-id']));
    assert.equal(messageIds.size, 41, 'no message was sent twice');
  });
});
