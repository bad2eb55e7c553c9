import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret } from '../../webhooks/signing-secret.ts';
import { sign } from './sign.ts';

const msgId = 'msg_2b9x';
const body = JSON.stringify({ type: 'call.ended', data: { callId: 'call_1', text: 'héllo ✓' } });

function headers(signature: string, timestamp: number): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

describe('sign', () => {
  test('one secret verifies with the standardwebhooks library', () => {
    const secret = generateSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = sign({ secrets: [secret], msgId, timestamp, body });
    assert.match(signature, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(
      new Webhook(secret).verify(body, headers(signature, timestamp)),
      JSON.parse(body),
    );
  });

  test('two secrets give two signatures, first secret first; either secret verifies', () => {
    const oldSecret = generateSigningSecret();
    const newSecret = generateSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = sign({ secrets: [newSecret, oldSecret], msgId, timestamp, body });
    const parts = signature.split(' ');
    assert.equal(parts.length, 2);
    assert.equal(parts[0], sign({ secrets: [newSecret], msgId, timestamp, body }));
    assert.equal(parts[1], sign({ secrets: [oldSecret], msgId, timestamp, body }));
    for (const secret of [oldSecret, newSecret]) {
      assert.doesNotThrow(() => new Webhook(secret).verify(body, headers(signature, timestamp)));
    }
  });

  test('a tampered body or a foreign secret fails verification', () => {
    const secret = generateSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = sign({ secrets: [secret], msgId, timestamp, body });
    assert.throws(() =>
      new Webhook(secret).verify(body.replace('call_1', 'call_2'), headers(signature, timestamp)),
    );
    assert.throws(() =>
      new Webhook(generateSigningSecret()).verify(body, headers(signature, timestamp)),
    );
  });

  test('matches a fixed vector computed over the decoded key bytes', () => {
    // Key bytes 0x00..0x1f; using the base64 text itself as the key would give another value.
    const signature = sign({
      secrets: ['whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='],
      msgId: 'msg_1',
      timestamp: 1700000000,
      body: '{}',
    });
    assert.equal(signature, 'v1,fhksJF5ElKjlPoT/jtefCO5XjQPvhf7Dhf/8R1ad9yU=');
  });

  test('generated secrets carry 32 random bytes', () => {
    const a = generateSigningSecret();
    assert.match(a, /^whsec_/);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.notEqual(a, generateSigningSecret());
  });

  test('rejects malformed input', () => {
    assert.throws(() => sign({ secrets: [], msgId, timestamp: 1, body }), /at least one/);
    assert.throws(() => sign({ secrets: ['abc'], msgId, timestamp: 1, body }), /whsec_/);
    assert.throws(
      () => sign({ secrets: [generateSigningSecret()], msgId, timestamp: 1.5, body }),
      /integer/,
    );
  });
});
