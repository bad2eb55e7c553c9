import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  test('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('7', now), 7);
    assert.equal(parseRetryAfter(' 120 ', now), 120);
    assert.equal(parseRetryAfter('0', now), 0);
  });

  test('reads the three HTTP-date forms as UTC', () => {
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Sunday, 01-Mar-26 12:01:00 GMT', now), 60);
    assert.equal(parseRetryAfter('Sun Mar  1 13:00:00 2026', now), 3600);
  });

  test('rounds partial seconds up and floors past dates at zero', () => {
    assert.equal(
      parseRetryAfter('Sun, 01 Mar 2026 12:00:01 GMT', new Date('2026-03-01T12:00:00.500Z')),
      1,
    );
    assert.equal(parseRetryAfter('Sat, 28 Feb 2026 12:00:00 GMT', now), 0);
  });

  test('returns null when absent or invalid', () => {
    for (const value of [
      null,
      undefined,
      '',
      'soon',
      '-5',
      '1.5',
      '2026-03-01T12:00:30Z',
      'Sun, 31 Feb 2026 12:00:00 GMT',
      'Sun, 01 Mar 2026 25:00:00 GMT',
      'Sun, 01 Mar 2026 12:00:30 PST',
    ]) {
      assert.equal(parseRetryAfter(value, now), null, String(value));
    }
  });
});
