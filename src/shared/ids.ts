import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulidx';

/**
 * Ids are `<prefix>_<ULID>` (ulidx): 10 characters of millisecond time and 16 of randomness in
 * Crockford base32. Time first makes ids sort in creation order, so an id alone is a
 * stable, unique pagination cursor; the prefix tells a human (and `node(id:)`) what it names.
 */
export const ID_PREFIXES = {
  Organization: 'org',
  ApiKey: 'key',
  Agent: 'agt',
  Webhook: 'whk',
  WebhookSubscription: 'sub',
  Event: 'evt',
  Delivery: 'dlv',
  DeliveryAttempt: 'att',
  PortalSession: 'psn',
  ListenerSession: 'lsn',
  ListenerExchange: 'lxc',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * Randomness for ulidx, drawn from a pool filled 4 KiB at a time (as Node's own `randomUUID`
 * does). ulidx's default asks crypto for one byte per character, 16 calls per id: 8 % of a busy
 * server's CPU in a profile. Each character takes 5 bits of a byte, so each of the 32 is as
 * likely as another.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return (pool[next++]! & 31) / 32;
  };
}

const random = pooledRandom();

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${ulid(now, random)}`;
}

const KIND_BY_PREFIX = new Map<string, IdKind>(
  Object.entries(ID_PREFIXES).map(([kind, prefix]) => [prefix, kind as IdKind]),
);

const ID_PATTERN = /^([a-z]{3})_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The kind an id names, or undefined when it is not one of ours. */
export function kindOfId(id: string): IdKind | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? KIND_BY_PREFIX.get(match[1]!) : undefined;
}
