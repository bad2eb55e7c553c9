import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disabledReason, shouldDisable } from './auto-disable.ts';

const day = 24 * 3600;
const now = new Date('2026-11-29T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * day * 1000);

test('an endpoint that has not failed, or failed for less than the window, stays enabled', () => {
  assert.equal(shouldDisable(null, now, 5 * day), false);
  assert.equal(shouldDisable(daysAgo(4.9), now, 5 * day), false);
});

test('an endpoint failing for the whole window is disabled', () => {
  assert.equal(shouldDisable(daysAgo(5), now, 5 * day), true);
  assert.equal(shouldDisable(daysAgo(9), now, 5 * day), true);
});

test('the reason says since when and for how long', () => {
  assert.equal(
    disabledReason(daysAgo(5), now),
    'Disabled automatically: every delivery attempt failed since 2026-11-24T12:00:00.000Z (120 h)',
  );
});
