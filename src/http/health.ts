import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { isFullyMigrated } from '../db/migrate.ts';
import { type RouteHandler, sendJson } from './server.ts';

/** Alive: the process answers. Says nothing about its dependencies, on purpose. */
export const healthz: RouteHandler = (_req, res) => sendJson(res, 200, { status: 'ok' });

/** Ready: the database answers within a short time and carries every migration. */
export function readyz(db: Kysely<Database>): RouteHandler {
  return async (_req, res) => {
    try {
      const ready = await withTimeout(
        (async () => {
          await sql`select 1`.execute(db);
          return isFullyMigrated(db);
        })(),
        2_000,
      );
      if (ready) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'not ready', reason: 'database is not migrated' });
    } catch {
      sendJson(res, 503, { status: 'not ready', reason: 'database unreachable' });
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
