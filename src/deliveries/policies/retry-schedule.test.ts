import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  nextDelay,
  parseRetrySchedule,
  RETRY_AFTER_MAX_SECONDS,
  RETRY_AFTER_MIN_SECONDS,
} from './retry-schedule.ts';

const schedule = DEFAULT_RETRY_SCHEDULE_SECONDS;
const mid = () => 0.5; // no jitter: 2 * 0.5 - 1 = 0

describe('nextDelay', () => {
  test('follows the schedule, one entry per failed attempt', () => {
    const delays = schedule.map((_, i) =>
      nextDelay({
        attemptNumber: i + 1,
        scheduleSeconds: schedule,
        status: 500,
        retryAfterSeconds: null,
        random: mid,
      }),
    );
    assert.deepEqual(
      delays,
      schedule.map((s) => s * 1000),
    );
  });

  test('returns null once the schedule is used up', () => {
    const input = { scheduleSeconds: schedule, status: 500, retryAfterSeconds: null, random: mid };
    assert.equal(nextDelay({ ...input, attemptNumber: schedule.length + 1 }), null);
    assert.equal(nextDelay({ ...input, attemptNumber: 99 }), null);
    assert.equal(nextDelay({ ...input, scheduleSeconds: [], attemptNumber: 1 }), null);
  });

  test('applies ±jitter uniformly at the extremes of random()', () => {
    const input = {
      attemptNumber: 2,
      scheduleSeconds: schedule,
      status: null,
      retryAfterSeconds: null,
    };
    assert.equal(nextDelay({ ...input, random: () => 0 }), 240_000);
    assert.equal(nextDelay({ ...input, random: () => 0.999999 }), 360_000);
    assert.equal(nextDelay({ ...input, random: () => 0.75 }), 330_000);
    assert.equal(nextDelay({ ...input, random: () => 0, jitter: 0.5 }), 150_000);
    assert.equal(nextDelay({ ...input, random: () => 0, jitter: 0 }), 300_000);
  });

  test('default random stays within the jitter band', () => {
    for (let i = 0; i < 200; i++) {
      const delay = nextDelay({
        attemptNumber: 1,
        scheduleSeconds: schedule,
        status: null,
        retryAfterSeconds: null,
      });
      assert.ok(delay !== null && delay >= 4000 && delay <= 6000, `delay ${delay}`);
    }
  });

  test('honours Retry-After on 429 and 503, without jitter', () => {
    const base = { attemptNumber: 1, scheduleSeconds: schedule, random: () => 0 };
    assert.equal(nextDelay({ ...base, status: 429, retryAfterSeconds: 7 }), 7000);
    assert.equal(nextDelay({ ...base, status: 503, retryAfterSeconds: 120 }), 120_000);
  });

  test('clamps Retry-After to its bounds', () => {
    const base = { attemptNumber: 3, scheduleSeconds: schedule, status: 429 };
    assert.equal(nextDelay({ ...base, retryAfterSeconds: 0 }), RETRY_AFTER_MIN_SECONDS * 1000);
    assert.equal(
      nextDelay({ ...base, retryAfterSeconds: 10 * 24 * 3600 }),
      RETRY_AFTER_MAX_SECONDS * 1000,
    );
    assert.equal(RETRY_AFTER_MAX_SECONDS, 86_400);
  });

  test('ignores Retry-After on other statuses and when absent', () => {
    const base = { attemptNumber: 1, scheduleSeconds: schedule, random: mid };
    assert.equal(nextDelay({ ...base, status: 500, retryAfterSeconds: 60 }), 5000);
    assert.equal(nextDelay({ ...base, status: null, retryAfterSeconds: 60 }), 5000);
    assert.equal(nextDelay({ ...base, status: 429, retryAfterSeconds: null }), 5000);
  });

  test('Retry-After does not extend the number of attempts', () => {
    assert.equal(
      nextDelay({
        attemptNumber: schedule.length + 1,
        scheduleSeconds: schedule,
        status: 429,
        retryAfterSeconds: 5,
      }),
      null,
    );
  });

  test('rejects a bad attempt number or jitter', () => {
    const base = { scheduleSeconds: schedule, status: null, retryAfterSeconds: null };
    assert.throws(() => nextDelay({ ...base, attemptNumber: 0 }), /attemptNumber/);
    assert.throws(() => nextDelay({ ...base, attemptNumber: 1.5 }), /attemptNumber/);
    assert.throws(() => nextDelay({ ...base, attemptNumber: 1, jitter: 2 }), /jitter/);
  });
});

describe('parseRetrySchedule', () => {
  test('parses comma-separated seconds', () => {
    assert.deepEqual(parseRetrySchedule('5,300, 1800 ,0'), [5, 300, 1800, 0]);
    assert.deepEqual(parseRetrySchedule('0.5'), [0.5]);
    assert.deepEqual(
      parseRetrySchedule(DEFAULT_RETRY_SCHEDULE_SECONDS.join(',')),
      DEFAULT_RETRY_SCHEDULE_SECONDS,
    );
  });

  test('throws a clear error on bad input', () => {
    assert.throws(() => parseRetrySchedule(''), /empty/);
    assert.throws(() => parseRetrySchedule('5,,10'), /entry 2 is ""/);
    assert.throws(() => parseRetrySchedule('5,-1'), /entry 2 is "-1"/);
    assert.throws(() => parseRetrySchedule('5,ten'), /non-negative number of seconds/);
    assert.throws(() => parseRetrySchedule('1e3'), /entry 1/);
  });
});
