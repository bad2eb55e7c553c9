import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptNotice, decodeNotices, encodeNotices, MAX_NOTICE_BYTES } from './notices.ts';

const attempt = (i: number): AttemptNotice => ({
  organizationId: 'org_01M8M7GVKTXH3STRNTWN7ZJX8S',
  attemptId: `att_01M8M7GVKTXH3STRNTWN7ZJ${String(i).padStart(3, '0')}`,
  deliveryId: 'dlv_01M8M7GWX0JP8796V1GS8HC8MH',
  webhookId: 'whk_01M8M7GWCBKMAZ4VWQDE64XE5E',
  agentId: i % 2 ? null : 'agt_01M8M7GW07XXBBQQAB1K81B7YJ',
  eventType: 'PRE_CONVERSATION',
});

test('notices survive the round trip', () => {
  const notices = {
    wake: true,
    deliveries: [
      {
        organizationId: 'org_1',
        deliveryId: 'dlv_1',
        webhookId: 'whk_1',
        status: 'PENDING' as const,
      },
    ],
    attempts: [attempt(1), attempt(2)],
  };
  const payloads = encodeNotices(notices);
  assert.equal(payloads.length, 1);
  assert.deepEqual(decodeNotices(payloads[0]!), notices);
});

test('many notices are split into payloads that each fit in one NOTIFY', () => {
  const attempts = Array.from({ length: 500 }, (_, i) => attempt(i));
  const payloads = encodeNotices({ attempts });
  assert.ok(payloads.length > 1);
  for (const payload of payloads)
    assert.ok(Buffer.byteLength(payload) <= MAX_NOTICE_BYTES, `${payload.length}`);
  const decoded = payloads.flatMap((p) => decodeNotices(p).attempts ?? []);
  assert.deepEqual(decoded, attempts);
});

test('nothing to say is no payload at all', () => {
  assert.deepEqual(encodeNotices({}), []);
  assert.deepEqual(encodeNotices({ wake: false, attempts: [] }), []);
});

test('revoked keys travel with other notices, and only when there are some', () => {
  const notices = { wake: false, deliveries: [], attempts: [attempt(3)], revokedKeys: ['key_1'] };
  const payloads = encodeNotices(notices);
  assert.equal(payloads.length, 1);
  assert.deepEqual(decodeNotices(payloads[0]!), notices);
  assert.deepEqual(decodeNotices(encodeNotices({ revokedKeys: ['key_2'] })[0]!).revokedKeys, [
    'key_2',
  ]);
  assert.equal('revokedKeys' in decodeNotices(encodeNotices({ wake: true })[0]!), false);
});

test('listener notices survive the round trip', () => {
  const notices = {
    wake: false,
    deliveries: [],
    attempts: [],
    listener: [
      { kind: 'request' as const, webhookId: 'whk_1', exchangeId: 'lxc_1' },
      { kind: 'answer' as const, webhookId: 'whk_1', exchangeId: 'lxc_2' },
    ],
  };
  const payloads = encodeNotices(notices);
  assert.equal(payloads.length, 1);
  assert.deepEqual(decodeNotices(payloads[0]!), notices);
});
