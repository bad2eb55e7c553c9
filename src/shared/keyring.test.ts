import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createKeyring,
  generateEncryptionKey,
  keyIdOf,
  parseEncryptionKey,
  SealedValueError,
} from './keyring.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

test('a sealed value opens with its key and context, and shows nothing of the plaintext', () => {
  const keyring = createKeyring(generateEncryptionKey());
  const sealed = keyring.seal(SECRET, 'webhook:whk_1:secret');
  assert.ok(sealed.startsWith(`hle1:${keyring.currentKeyId}:`));
  assert.ok(!sealed.includes('MfKQ9r8'));
  assert.notEqual(keyring.seal(SECRET, 'webhook:whk_1:secret'), sealed, 'a fresh IV each time');
  assert.equal(keyring.open(sealed, 'webhook:whk_1:secret'), SECRET);
  assert.ok(keyring.isCurrent(sealed));
});

test('a value moved to another row, altered, or sealed with an unknown key does not open', () => {
  const keyring = createKeyring(generateEncryptionKey());
  const sealed = keyring.seal(SECRET, 'webhook:whk_1:secret');
  assert.throws(() => keyring.open(sealed, 'webhook:whk_2:secret'), SealedValueError);
  // The character before the last (whose bits all count) changed for another.
  const other = sealed.at(-2) === 'A' ? 'B' : 'A';
  const flipped = `${sealed.slice(0, -2)}${other}${sealed.slice(-1)}`;
  assert.notEqual(flipped, sealed);
  assert.throws(() => keyring.open(flipped, 'webhook:whk_1:secret'), SealedValueError);
  const stranger = createKeyring(generateEncryptionKey());
  assert.throws(() => stranger.open(sealed, 'webhook:whk_1:secret'), /not configured/);
});

test('rotation: the new keyring opens old values and seals with the new key', () => {
  const oldKey = generateEncryptionKey();
  const newKey = generateEncryptionKey();
  const sealedOld = createKeyring(oldKey).seal(SECRET, 'c');
  const rotated = createKeyring(newKey, [oldKey]);
  assert.equal(rotated.currentKeyId, keyIdOf(newKey));
  assert.equal(rotated.open(sealedOld, 'c'), SECRET);
  assert.equal(rotated.isCurrent(sealedOld), false);
  assert.ok(rotated.isCurrent(rotated.seal(SECRET, 'c')));
});

test('plaintext from before encryption at rest reads as it is', () => {
  assert.equal(createKeyring(generateEncryptionKey()).open(SECRET, 'c'), SECRET);
});

test('keys are 32 bytes in base64 or hex', () => {
  const key = generateEncryptionKey();
  assert.deepEqual(parseEncryptionKey(key.toString('base64')), key);
  assert.deepEqual(parseEncryptionKey(key.toString('hex')), key);
  assert.deepEqual(parseEncryptionKey(key.toString('base64url')), key);
  for (const bad of ['', 'short', key.subarray(0, 16).toString('base64'), 'x'.repeat(64)]) {
    assert.throws(() => parseEncryptionKey(bad), /32 bytes/);
  }
});
