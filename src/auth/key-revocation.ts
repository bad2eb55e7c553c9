import { CloseCode } from 'graphql-ws';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import type { Logger } from '../shared/logger.ts';
import { type ApiKey, revokeApiKey } from './organizations.service.ts';

/**
 * A revoked key stops working at once, everywhere:
 *
 * - every request authenticates again (`authenticate` looks the key up by hash each time), so
 *   HTTP requests and new WebSocket operations with it fail from the commit on;
 * - connections that authenticated before the revocation are closed: the revocation publishes a
 *   `revokedKeys` notice in its own transaction (NOTIFY is delivered on commit, to every
 *   process), and each process closes the WebSocket connections it holds for that key with
 *   4403 (their subscriptions end with them) and ends its SSE streams (see KeyConnections).
 *
 * A notice can be missed while a process's LISTEN connection is down; when it comes back, the
 * process looks up which of its connected keys were revoked meanwhile. A revocation that lands
 * between a connection's authentication and its registration here is caught by remembering
 * recent revocations for a minute.
 */
export async function revokeApiKeyEverywhere(
  transactions: Transactions,
  organizationId: string,
  id: string,
): Promise<ApiKey> {
  return transactions(async (trx, outbox) => {
    const key = await revokeApiKey(trx, organizationId, id);
    outbox.notify({ revokedKeys: [key.id] });
    return key;
  });
}

/** Something open on behalf of a key: a WebSocket, a server-sent event stream. */
export interface KeyConnection {
  close(code: number, reason: string): void;
}

export const REVOKED_CLOSE_CODE = CloseCode.Forbidden;
export const REVOKED_CLOSE_REASON = 'Forbidden: the API key was revoked';

/** Why a connection was not admitted; the caller answers in its transport's own way. */
export type Refusal = 'revoked' | 'too-many';

export type Admission =
  | { admitted: true; release: () => void }
  | { admitted: false; refusal: Refusal };

/**
 * The live connections (WebSockets and SSE streams) each key holds open in this process: closed
 * when the key is revoked, and at most `maxPerKey` of them at once, so that one key cannot hold
 * an unbounded share of the process's memory and sockets.
 */
export interface KeyConnections {
  /**
   * Registers a connection authenticated with a key, and gives the function that forgets it;
   * refuses it (registering nothing) if the key was just revoked or already holds `maxPerKey`.
   */
  admit(apiKeyId: string, connection: KeyConnection): Admission;
  /** How many connections are registered (tests, metrics). */
  readonly size: number;
  readonly maxPerKey: number;
  stop(): void;
}

const REMEMBER_REVOKED_MS = 60_000;
const REMEMBER_REVOKED_MAX = 10_000;

export function watchKeyConnections(deps: {
  notifier: Notifier;
  db: Kysely<Database>;
  logger: Logger;
  maxPerKey: number;
}): KeyConnections {
  const open = new Map<string, Set<KeyConnection>>();
  const recent = new Map<string, number>();
  let size = 0;

  const close = (apiKeyId: string, connection: KeyConnection) => {
    try {
      connection.close(REVOKED_CLOSE_CODE, REVOKED_CLOSE_REASON);
    } catch (error) {
      deps.logger.warn({ err: error, apiKeyId }, 'could not close a connection of a revoked key');
    }
  };

  const revoked = (apiKeyId: string) => {
    const now = Date.now();
    recent.delete(apiKeyId);
    recent.set(apiKeyId, now);
    // Oldest first (insertion order): drop what is too old or too many.
    for (const [id, at] of recent) {
      if (now - at <= REMEMBER_REVOKED_MS && recent.size <= REMEMBER_REVOKED_MAX) break;
      recent.delete(id);
    }
    const connections = open.get(apiKeyId);
    if (!connections) return;
    open.delete(apiKeyId);
    size -= connections.size;
    deps.logger.info(
      { apiKeyId, connections: connections.size },
      'closing connections of a revoked API key',
    );
    for (const connection of connections) close(apiKeyId, connection);
  };

  const recheck = async () => {
    const ids = [...open.keys()];
    if (ids.length === 0) return;
    const rows = await deps.db
      .selectFrom('api_keys')
      .select('id')
      .where('id', 'in', ids)
      .where('revoked_at', 'is not', null)
      .execute();
    for (const row of rows) revoked(row.id);
  };

  const unlisten = deps.notifier.listen((notices) => {
    for (const apiKeyId of notices.revokedKeys ?? []) revoked(apiKeyId);
  });
  const unreconnect = deps.notifier.onReconnect(() => {
    recheck().catch((error: unknown) =>
      deps.logger.error({ err: error }, 'could not check connected keys for revocations'),
    );
  });

  return {
    admit(apiKeyId, connection) {
      const revokedAt = recent.get(apiKeyId);
      if (revokedAt !== undefined && Date.now() - revokedAt <= REMEMBER_REVOKED_MS) {
        return { admitted: false, refusal: 'revoked' };
      }
      let connections = open.get(apiKeyId);
      if (connections && connections.size >= deps.maxPerKey) {
        return { admitted: false, refusal: 'too-many' };
      }
      if (!connections) {
        connections = new Set();
        open.set(apiKeyId, connections);
      }
      connections.add(connection);
      size++;
      const release = () => {
        const current = open.get(apiKeyId);
        if (!current?.delete(connection)) return;
        size--;
        if (current.size === 0) open.delete(apiKeyId);
      };
      return { admitted: true, release };
    },
    get size() {
      return size;
    },
    maxPerKey: deps.maxPerKey,
    stop() {
      unlisten();
      unreconnect();
      open.clear();
      size = 0;
    },
  };
}
