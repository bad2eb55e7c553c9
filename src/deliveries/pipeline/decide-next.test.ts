import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideNext } from './decide-next.ts';

const now = new Date('2026-11-29T12:00:00Z');
const schedule = [5, 300];
const noJitter = () => 0.5;

test('a 2xx ends the delivery as SUCCEEDED', () => {
  const step = decideNext({
    outcome: { ok: true, status: 204, retryAfterSeconds: null },
    seriesAttemptNumber: 1,
    scheduleSeconds: schedule,
    now,
  });
  assert.deepEqual(step, { status: 'SUCCEEDED', nextAttemptAt: null, spendsSchedule: true });
});

test('a failure waits for the next slot of the schedule', () => {
  const step = decideNext({
    outcome: { ok: false, status: 500, retryAfterSeconds: null },
    seriesAttemptNumber: 2,
    scheduleSeconds: schedule,
    now,
    random: noJitter,
  });
  assert.equal(step.status, 'PENDING');
  assert.equal(step.nextAttemptAt?.getTime(), now.getTime() + 300_000);
});

test('Retry-After on 429 replaces the schedule', () => {
  const step = decideNext({
    outcome: { ok: false, status: 429, retryAfterSeconds: 42 },
    seriesAttemptNumber: 1,
    scheduleSeconds: schedule,
    now,
  });
  assert.equal(step.nextAttemptAt?.getTime(), now.getTime() + 42_000);
});

test('a failure with no slot left ends the delivery as FAILED, Retry-After or not', () => {
  for (const outcome of [
    { ok: false, status: 500, retryAfterSeconds: null },
    { ok: false, status: 503, retryAfterSeconds: 10 },
    { ok: false, status: null, retryAfterSeconds: null },
  ]) {
    const step = decideNext({ outcome, seriesAttemptNumber: 3, scheduleSeconds: schedule, now });
    assert.deepEqual(step, { status: 'FAILED', nextAttemptAt: null, spendsSchedule: true });
  }
});

test('a failed circuit probe holds its delivery again, its schedule untouched', () => {
  const step = decideNext({
    outcome: { ok: false, status: 500, retryAfterSeconds: null },
    seriesAttemptNumber: 8,
    scheduleSeconds: schedule,
    probe: true,
    now,
  });
  assert.deepEqual(step, { status: 'HELD', nextAttemptAt: null, spendsSchedule: false });
});

test('a probe that succeeds ends its delivery like any success', () => {
  const step = decideNext({
    outcome: { ok: true, status: 200, retryAfterSeconds: null },
    seriesAttemptNumber: 1,
    scheduleSeconds: schedule,
    probe: true,
    now,
  });
  assert.equal(step.status, 'SUCCEEDED');
});
