import { CloseCode } from 'graphql-ws';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Notifier } from '../pubsub/notifier.ts';
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
 *   4403 (their subscriptions end with them).
 *
 * A notice can be missed while a process's LISTEN connection is down; when it comes back, the
 * process looks up which of its connected keys were revoked meanwhile. A revocation that lands
 * between a connection's authentication and its registration here is caught by remembering
 * recent revocations for a minute.
 */
export async function revokeApiKeyEverywhere(
  db: Kysely<Database>,
  notifier: Notifier,
  organizationId: string,
  id: string,
): Promise<ApiKey> {
  return db.transaction().execute(async (trx) => {
    const key = await revokeApiKey(trx, organizationId, id);
    await notifier.publish(trx, { revokedKeys: [key.id] });
    return key;
  });
}

/** Something open on behalf of a key: a WebSocket, a server-sent event stream. */
export interface KeyConnection {
  close(code: number, reason: string): void;
}

export const REVOKED_CLOSE_CODE = CloseCode.Forbidden;
export const REVOKED_CLOSE_REASON = 'Forbidden: the API key was revoked';

export interface RevocationWatch {
  /** Registers a connection authenticated with a key; returns the function that forgets it. */
  track(apiKeyId: string, connection: KeyConnection): () => void;
  /** How many connections are registered (tests, metrics). */
  readonly size: number;
  stop(): void;
}

const REMEMBER_REVOKED_MS = 60_000;
const REMEMBER_REVOKED_MAX = 10_000;

export function watchKeyRevocations(deps: {
  notifier: Notifier;
  db: Kysely<Database>;
  logger: Logger;
}): RevocationWatch {
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
    track(apiKeyId, connection) {
      const revokedAt = recent.get(apiKeyId);
      if (revokedAt !== undefined && Date.now() - revokedAt <= REMEMBER_REVOKED_MS) {
        close(apiKeyId, connection);
        return () => {};
      }
      let connections = open.get(apiKeyId);
      if (!connections) {
        connections = new Set();
        open.set(apiKeyId, connections);
      }
      connections.add(connection);
      size++;
      return () => {
        const current = open.get(apiKeyId);
        if (!current?.delete(connection)) return;
        size--;
        if (current.size === 0) open.delete(apiKeyId);
      };
    },
    get size() {
      return size;
    },
    stop() {
      unlisten();
      unreconnect();
      open.clear();
      size = 0;
    },
  };
}
