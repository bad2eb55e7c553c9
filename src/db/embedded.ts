import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by process ${pid}. PGlite has no lock of its own and two processes would corrupt it; stop the other process or set HOOKLINE_DATA_DIR.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An exclusive lockfile holding our pid; a lock left by a dead process is taken over. */
function takeLock(lockPath: string, dataDir: string): () => void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && processIsAlive(holder)) {
        throw new DataDirLockedError(dataDir, holder);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const releaseLock = takeLock(join(root, 'hookline.lock'), root);
  try {
    const pglite = await PGlite.create({ dataDir: join(root, 'pgdata') });
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
    await server.start();
    return {
      connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
      async stop() {
        await server.stop();
        await pglite.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
