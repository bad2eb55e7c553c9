import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * PGlite has no lock of its own on its data folder: this lock is what keeps a second process (a
 * second server, or the CLI) from opening and corrupting it. proper-lockfile holds it: a lock
 * directory whose time the holder refreshes every few seconds, so a lock left by a process that
 * died goes stale after STALE_MS whatever became of its pid (a pid can be reused after a crash).
 * The holder's pid is written beside it, to tell a person (and the CLI) who holds the folder.
 */
export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number | undefined) {
    super(
      `The data folder ${dataDir} is in use by ${pid ? `process ${pid}` : 'another process'}. PGlite has no lock of its own and two processes would corrupt it; stop the other process or set HOOKLINE_DATA_DIR.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export const LOCK_FILE = 'hookline.lock';
const PID_FILE = 'hookline.pid';
const STALE_MS = 10_000;
/** A start just after a crash waits this long at most for the dead holder's lock to go stale. */
const STALE_WAIT_MS = STALE_MS + 2_000;

const options = (root: string) => ({
  lockfilePath: join(root, LOCK_FILE),
  stale: STALE_MS,
  realpath: false,
});

function pidOf(root: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(root, PID_FILE), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process, other than this one, that holds the data folder's lock (its pid when known). */
export function dataDirHolder(dataDir: string): number | 'unknown' | undefined {
  const root = resolve(dataDir);
  if (!lockfile.checkSync(root, options(root))) return undefined;
  const pid = pidOf(root);
  if (pid === process.pid) return undefined;
  return pid ?? 'unknown';
}

/**
 * Takes the data folder's lock for this process; returns its release. A lock whose recorded
 * holder is dead (a crash) is waited for until it goes stale; a live holder is refused at once.
 */
export async function takeLock(dataDir: string): Promise<() => Promise<void>> {
  const root = resolve(dataDir);
  const deadline = Date.now() + STALE_WAIT_MS;
  for (;;) {
    try {
      const release = await lockfile.lock(root, options(root));
      writeFileSync(join(root, PID_FILE), String(process.pid));
      return async () => {
        rmSync(join(root, PID_FILE), { force: true });
        await release().catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const pid = pidOf(root);
      if ((pid !== undefined && isAlive(pid)) || Date.now() >= deadline) {
        throw new DataDirLockedError(root, pid);
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}
