import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryAttempt } from './delivery-attempt.ts';
import { RecentAttempts } from './recent-attempts.ts';

const attempt = (id: string): DeliveryAttempt => ({
  id,
  organizationId: 'org_1',
  deliveryId: 'dlv_1',
  webhookId: 'whk_1',
  attemptNumber: 1,
  startedAt: new Date(0),
  durationMs: 3,
  requestHeaders: {},
  responseStatus: 200,
  responseBody: 'ok',
  errorKind: null,
  error: null,
});

describe('RecentAttempts', () => {
  test('an attempt is claimed once; afterwards the feed reads it from the database', () => {
    const recent = new RecentAttempts();
    recent.remember([attempt('att_a'), attempt('att_b')]);
    assert.equal(recent.claim('att_a')?.id, 'att_a');
    assert.equal(recent.claim('att_a'), undefined);
    assert.equal(recent.claim('att_unknown'), undefined);
    assert.equal(recent.size, 1);
  });

  test('unclaimed attempts are dropped oldest first beyond a few thousand', () => {
    const recent = new RecentAttempts();
    recent.remember(Array.from({ length: 6_000 }, (_, i) => attempt(`att_${i}`)));
    assert.equal(recent.size, 5_000);
    assert.equal(recent.claim('att_0'), undefined, 'the oldest went');
    assert.equal(recent.claim('att_5999')?.id, 'att_5999', 'the newest stayed');
  });
});
