import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAgentDocument,
  EmitEventDocument,
  type EmitEventInput,
  type HooklineClient,
  HooklineRequestError,
} from '@hookline/client';
import { expectCode } from '../support/assertions.ts';
import { analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * An idempotency key means one event: the same request sent again gets the event it first
 * created (and nothing is sent twice); the key with another agent, type or payload is a
 * CONFLICT naming that event, whether the first use committed long ago or in the same batch.
 */
let server: TestServer;

before(async () => {
  server = await startTestServer('idempotency');
});
after(() => server.stop());

async function organizationWithAgents(): Promise<{
  client: HooklineClient;
  organizationId: string;
  agentId: string;
  otherAgentId: string;
}> {
  const { client, organizationId } = await server.newOrganization();
  const create = async (name: string) =>
    (await client.request(CreateAgentDocument, { input: { name } })).createAgent.agent.id;
  return {
    client,
    organizationId,
    agentId: await create('One'),
    otherAgentId: await create('Two'),
  };
}

const emit = async (client: HooklineClient, input: EmitEventInput) =>
  (await client.request(EmitEventDocument, { input })).emitEvent.event;

async function eventCount(organizationId: string): Promise<number> {
  const rows = await server.hookline.database.db
    .selectFrom('events')
    .select('id')
    .where('organization_id', '=', organizationId)
    .execute();
  return rows.length;
}

describe('idempotency keys', () => {
  test('the same request again returns the first event, whatever the order of the payload keys', async () => {
    const { client, organizationId, agentId } = await organizationWithAgents();
    const input = {
      agentId,
      type: 'ANALYTICS_COMPLETED' as const,
      payload: analyticsCompleted('call_same'),
      idempotencyKey: 'call_same:analytics',
    };
    const first = await emit(client, input);
    const again = await emit(client, input);
    const reordered = Object.fromEntries(Object.entries(input.payload).reverse());
    const reorderedAgain = await emit(client, { ...input, payload: reordered });
    assert.equal(again.id, first.id);
    assert.equal(reorderedAgain.id, first.id);
    assert.equal(await eventCount(organizationId), 1);
  });

  const reuses: Array<{
    name: string;
    differs: string[];
    change: (
      input: EmitEventInput,
      ids: { otherAgentId: string },
    ) => Pick<EmitEventInput, 'agentId' | 'type' | 'payload'>;
  }> = [
    {
      name: 'another payload',
      differs: ['payload'],
      change: (input) => ({ ...input, payload: preConversation('call_other') }),
    },
    {
      name: 'another agent',
      differs: ['agentId'],
      change: (input, { otherAgentId }) => ({ ...input, agentId: otherAgentId }),
    },
    {
      name: 'another type',
      differs: ['type', 'payload'],
      change: (input) => ({
        ...input,
        type: 'ANALYTICS_COMPLETED',
        payload: analyticsCompleted('call_1'),
      }),
    },
  ];
  for (const reuse of reuses) {
    test(`the key with ${reuse.name} is a CONFLICT naming the first event, and stores nothing`, async () => {
      const { client, organizationId, agentId, otherAgentId } = await organizationWithAgents();
      const input: EmitEventInput = {
        agentId,
        type: 'PRE_CONVERSATION',
        payload: preConversation('call_1'),
        idempotencyKey: 'call_1:pre',
      };
      const first = await emit(client, input);
      const conflict = await expectCode(
        emit(client, { ...reuse.change(input, { otherAgentId }), idempotencyKey: 'call_1:pre' }),
        'CONFLICT',
      );
      assert.equal(conflict.errors[0]?.extensions?.eventId, first.id);
      assert.deepEqual(conflict.errors[0]?.extensions?.differs, reuse.differs);
      assert.match(conflict.message, new RegExp(first.id));
      assert.equal(await eventCount(organizationId), 1);
      assert.equal((await emit(client, input)).id, first.id, 'the first request still replays');
    });
  }

  test('two different requests racing with one key: one wins, every copy of the other is a CONFLICT', async () => {
    const { client, organizationId, agentId } = await organizationWithAgents();
    const send = (callId: string) =>
      emit(client, {
        agentId,
        type: 'PRE_CONVERSATION',
        payload: preConversation(callId),
        idempotencyKey: 'raced',
      }).then(
        (event) => ({ callId, eventId: event.id }),
        (error: unknown) => {
          assert.ok(error instanceof HooklineRequestError, String(error));
          assert.equal(error.code, 'CONFLICT');
          return { callId, conflictWith: error.errors[0]?.extensions?.eventId as string };
        },
      );
    // Concurrent emits share group-committed batches: some copies meet in one batch.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? 'call_a' : 'call_b')),
    );
    const winners = outcomes.filter((o) => 'eventId' in o);
    const losers = outcomes.filter((o) => 'conflictWith' in o);
    const winningCall = winners[0]?.callId;
    assert.ok(winningCall, 'one of the two requests stored its event');
    assert.equal(winners.length, 10, JSON.stringify(outcomes));
    assert.ok(winners.every((o) => o.callId === winningCall && o.eventId === winners[0]!.eventId));
    assert.equal(losers.length, 10);
    assert.ok(
      losers.every((o) => o.callId !== winningCall && o.conflictWith === winners[0]!.eventId),
    );
    assert.equal(await eventCount(organizationId), 1);
  });
});
