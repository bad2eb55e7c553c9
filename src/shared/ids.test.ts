import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from './ids.ts';

test('ids are unique, sort by time, and draw every base32 character about as often', () => {
  const ids = Array.from({ length: 50_000 }, (_, i) => newId('Event', 1_700_000_000_000 + i));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  const counts = new Map<string, number>();
  for (const id of ids) {
    for (const char of id.slice('evt_'.length + 10)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  // 800,000 random characters: 25,000 each expected; a biased draw would miss by far more.
  assert.equal(counts.size, 32);
  for (const [char, count] of counts)
    assert.ok(Math.abs(count - 25_000) < 1_000, `${char}: ${count}`);
});
