import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideSlot, MAX_IN_WORKER_WAIT_MS, slotIntervalMs } from './rate-limit.ts';

test('slots are 1 / rate apart', () => {
  assert.equal(slotIntervalMs(4), 250);
  assert.equal(slotIntervalMs(0.5), 2000);
});

test('a near slot is waited for in the worker; a far one sends the job back to the queue', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const near = new Date(now.getTime() + MAX_IN_WORKER_WAIT_MS);
  const far = new Date(now.getTime() + MAX_IN_WORKER_WAIT_MS + 1);
  assert.deepEqual(decideSlot(near, now), { kind: 'send-at', at: near });
  assert.deepEqual(decideSlot(far, now), { kind: 'defer-to', at: far });
});
