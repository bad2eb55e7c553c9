import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchGroupConcurrency, jobGroup } from './endpoint-concurrency.ts';

test("a job belongs to its webhook's group, tiered by the webhook's limit", () => {
  assert.deepEqual(jobGroup('whk_1', 3), { id: 'whk_1', tier: 'c3' });
});

test('the fetch knows a tier for every limit up to the ceiling, and the default', () => {
  const { groupConcurrency } = fetchGroupConcurrency({ defaultConcurrency: 8, maxConcurrency: 4 });
  assert.deepEqual(groupConcurrency, { default: 8, tiers: { c1: 1, c2: 2, c3: 3, c4: 4 } });
});
