import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret } from '../../webhooks/signing-secret.ts';
import { buildHeaders } from './build-headers.ts';
import { sign } from './sign.ts';

test('buildHeaders returns exactly the five delivery headers', () => {
  const headers = buildHeaders({
    msgId: 'msg_1',
    timestamp: 1700000000,
    signature: 'v1,abc',
    userAgent: 'Hookline/0.1',
  });
  assert.deepEqual(headers, {
    'content-type': 'application/json',
    'user-agent': 'Hookline/0.1',
    'webhook-id': 'msg_1',
    'webhook-timestamp': '1700000000',
    'webhook-signature': 'v1,abc',
  });
});

test('headers built from sign() verify with standardwebhooks', () => {
  const secret = generateSigningSecret();
  const timestamp = Math.floor(Date.now() / 1000);
  const body = '{"ok":true}';
  const signature = sign({ secrets: [secret], msgId: 'msg_2', timestamp, body });
  const headers = buildHeaders({ msgId: 'msg_2', timestamp, signature, userAgent: 'Hookline' });
  assert.deepEqual(new Webhook(secret).verify(body, headers), { ok: true });
});
