import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `hkl_` + 32 random bytes in base64url (256 bits). The prefix makes a leaked key
 * easy to find with a secret scanner; only its SHA-256 is stored, which is enough for a key
 * with this much entropy (no salt or slow hash needed: nothing to brute-force).
 */
export const API_KEY_PREFIX = 'hkl_';
const KEY_PATTERN = /^hkl_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** What a dashboard may show of a key: enough to tell keys apart, far too little to use one. */
export function apiKeyHint(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Reads `Bearer <key>` (case-insensitive scheme); anything else is no key. */
export function parseBearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
