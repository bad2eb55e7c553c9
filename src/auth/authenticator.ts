import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import { hashApiKey, hashesEqual } from './api-key.ts';
import { authenticate } from './auth.service.ts';
import { LOCAL_ACCESS_VIEWER } from './local-access.ts';
import type { Viewer } from './viewer.ts';

/**
 * Key lookups for HTTP requests, remembered for a few seconds so that a busy integration does not
 * cost a database round trip per request. What keeps "a revoked key stops working at once" true:
 *
 * - `revokeApiKey` forgets the key here before it answers, and publishes a `revokedKeys` notice in
 *   its transaction that makes every other process forget it on commit;
 * - a process whose LISTEN connection was lost forgets everything when it comes back;
 * - only keys that are valid are remembered, and never longer than `ttlMs`: a key revoked behind
 *   Hookline's back (in SQL) works at most that much longer.
 */
export interface Authenticator {
  authenticate(presented: string | undefined): Promise<Viewer | undefined>;
  forget(apiKeyId: string): void;
  stop(): void;
}

export interface AuthenticatorOptions {
  db: Kysely<Database>;
  notifier: Notifier;
  /** The key of this process's local access file (embedded mode; see local-access.ts). */
  localAccessKey?: string;
  ttlMs?: number;
  maxEntries?: number;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const remembered = new Map<string, { viewer: Viewer; until: number }>();
  const localAccessHash = options.localAccessKey && hashApiKey(options.localAccessKey);
  // A lookup that started before a revocation was heard may have read the key as valid: bumping
  // the generation on every forget keeps such a lookup from being remembered.
  let generation = 0;

  const forget = (apiKeyId: string) => {
    generation++;
    for (const [hash, entry] of remembered) {
      if (entry.viewer.apiKeyId === apiKeyId) remembered.delete(hash);
    }
  };
  const unsubscribers = [
    options.notifier.listen((notices) => {
      for (const id of notices.revokedKeys ?? []) forget(id);
    }),
    options.notifier.onReconnect(() => {
      generation++;
      remembered.clear();
    }),
  ];

  return {
    async authenticate(presented) {
      if (!presented) return undefined;
      const hash = hashApiKey(presented);
      if (localAccessHash && hashesEqual(hash, localAccessHash)) return LOCAL_ACCESS_VIEWER;
      const entry = remembered.get(hash);
      if (entry && entry.until > Date.now()) return entry.viewer;
      remembered.delete(hash);
      const startedAt = generation;
      const viewer = await authenticate(options.db, presented);
      if (viewer && startedAt === generation) {
        // Oldest first out: Map keeps insertion order.
        if (remembered.size >= maxEntries) remembered.delete(remembered.keys().next().value!);
        remembered.set(hash, { viewer, until: Date.now() + ttlMs });
      }
      return viewer;
    },
    forget,
    stop() {
      for (const unsubscribe of unsubscribers) unsubscribe();
      remembered.clear();
    },
  };
}
