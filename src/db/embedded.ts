import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { takeLock } from './data-dir-lock.ts';

/**
 * The zero-setup database: PGlite (PostgreSQL compiled to WebAssembly) in this process, served
 * on a loopback port over the wire protocol so that the rest of Hookline talks to it with the
 * same `pg` driver it uses for a real server. PGlite has one session, so callers must use a
 * single connection; see `openDatabase`.
 */
export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const releaseLock = await takeLock(root);
  try {
    const pglite = await PGlite.create({ dataDir: join(root, 'pgdata') });
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
    await server.start();
    return {
      connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
      async stop() {
        await server.stop();
        await pglite.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}
