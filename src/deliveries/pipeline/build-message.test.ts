import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMessage } from './build-message.ts';

test('the body names the wire type, the event time and the agent, then the payload', () => {
  const body = buildMessage({
    type: 'ANALYTICS_COMPLETED',
    agentId: 'agt_1',
    payload: { callId: 'call_1', durationSeconds: 3 },
    createdAt: new Date('2026-11-29T12:00:00.000Z'),
  });
  assert.equal(
    body,
    '{"type":"analytics-completed","timestamp":"2026-11-29T12:00:00.000Z","data":{"agentId":"agt_1","callId":"call_1","durationSeconds":3}}',
  );
});

test('a test event has a null agent', () => {
  const body = JSON.parse(
    buildMessage({ type: 'PRE_CONVERSATION', agentId: null, payload: {}, createdAt: new Date(0) }),
  );
  assert.equal(body.data.agentId, null);
  assert.equal(body.type, 'pre-conversation');
});

test('an operational event carries its payload as data, without an agent', () => {
  const body = JSON.parse(
    buildMessage({
      type: 'ENDPOINT_CIRCUIT_CLOSED',
      agentId: null,
      payload: { reason: 'nothing_held' },
      createdAt: new Date(0),
    }),
  );
  assert.deepEqual(body, {
    type: 'endpoint.circuit_closed',
    timestamp: '1970-01-01T00:00:00.000Z',
    data: { reason: 'nothing_held' },
  });
});
