import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (signing secrets, endpoint headers) are sealed with AES-256-GCM under the
 * current key of a keyring, and opened with whichever key sealed them:
 *
 *     hle1:<key id>:<base64url(12-byte IV ‖ ciphertext ‖ 16-byte tag)>
 *
 * The key id is the first 8 hex digits of the key's SHA-256, so keys need no names and a value
 * says which key opens it; rotation adds a new current key and keeps the old ones readable
 * until everything is sealed again (docs/operations.md, Encryption at rest). Each value is bound
 * to where it lives (`context`, e.g. `webhook:whk_...:secret`, as GCM's additional data): a
 * sealed value copied into another row does not open there. Node's crypto module does all of it;
 * there is nothing here a library would add but a dependency.
 */
export const SEALED_PREFIX = 'hle1:';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Keyring {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plaintext: string, context: string): string;
  /**
   * The plaintext of a sealed value. A value without the prefix is returned as it is: written
   * before encryption at rest (or by an older process), it is sealed at the next start.
   */
  open(value: string, context: string): string;
  /** Sealed, and with the current key: nothing to do at rotation. */
  isCurrent(value: string): boolean;
}

/** A value sealed with a key this keyring does not have, or altered, or bound elsewhere. */
export class SealedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedValueError';
  }
}

/** The 8-hex-digit id a key is known by in sealed values. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * A key as configured: 32 bytes in base64 (44 characters, `openssl rand -base64 32`) or hex
 * (64 characters). Throws a message fit for a configuration error.
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (key?.length !== KEY_BYTES) {
    throw new Error(
      'must be 32 bytes in base64 (44 characters; openssl rand -base64 32) or hex (64 characters)',
    );
  }
  return key;
}

/** A comma-separated list of keys (older keys that must stay readable). */
export function parseEncryptionKeyList(text: string): Buffer[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseEncryptionKey);
}

export function generateEncryptionKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function createKeyring(current: Buffer, previous: readonly Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) {
    if (key.length !== KEY_BYTES) throw new Error('an encryption key must be 32 bytes');
    if (!keys.has(keyIdOf(key))) keys.set(keyIdOf(key), key);
  }
  const currentKeyId = keyIdOf(current);
  return {
    currentKeyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
      return `${SEALED_PREFIX}${currentKeyId}:${sealed}`;
    },
    open(value, context) {
      if (!value.startsWith(SEALED_PREFIX)) return value;
      const [keyId, sealed] = value.slice(SEALED_PREFIX.length).split(':');
      const key = keyId ? keys.get(keyId) : undefined;
      if (!key || sealed === undefined) {
        throw new SealedValueError(
          `a value is sealed with encryption key ${keyId ?? '?'}, which is not configured (HOOKLINE_ENCRYPTION_KEY, HOOKLINE_ENCRYPTION_PREVIOUS_KEYS)`,
        );
      }
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES)
        throw new SealedValueError('a sealed value is cut short');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SealedValueError(
          `a value sealed with key ${keyId} does not open: altered, or moved`,
        );
      }
    },
    isCurrent(value) {
      return value.startsWith(`${SEALED_PREFIX}${currentKeyId}:`);
    },
  };
}
