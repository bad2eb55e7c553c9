import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reservedForQuiet } from './fair-share.ts';

test('an eighth of the slots wait for quiet organizations, and always one general slot is left', () => {
  assert.equal(reservedForQuiet(64), 8);
  assert.equal(reservedForQuiet(8), 1);
  assert.equal(reservedForQuiet(2), 1);
  assert.equal(reservedForQuiet(1), 0);
});
