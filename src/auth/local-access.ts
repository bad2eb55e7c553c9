import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateApiKey } from './api-key.ts';
import type { Viewer } from './viewer.ts';

/**
 * How the CLI works beside a server on the embedded database. The data folder is open in one
 * process only, so the CLI on the same machine goes through that server's API instead. To find
 * and authenticate to it, the server writes `server.json` into the data folder once it listens:
 * its pid, its URL, and a key made for this run that only this process accepts, as the operator,
 * on HTTP requests. Whoever can read the data folder can read the database files in it, every
 * stored secret included, so the file grants nothing they do not already have; it is readable by
 * its owner only and is removed at stop. The key is never stored in the database and never
 * logged, and it dies with the process.
 */
export const LOCAL_ACCESS_FILE = 'server.json';

/** The viewer of a request made with the local access key. */
export const LOCAL_ACCESS_VIEWER: Viewer = { kind: 'operator', apiKeyId: 'local-cli' };

export interface LocalAccess {
  pid: number;
  /** The base URL of the server's HTTP API, on loopback. */
  url: string;
  key: string;
}

export function createLocalAccessKey(): string {
  return generateApiKey();
}

/** Writes the file (owner-only, atomically); returns the function that removes it. */
export function publishLocalAccess(dataDir: string, access: LocalAccess): () => void {
  const path = join(resolve(dataDir), LOCAL_ACCESS_FILE);
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(access), { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
  return () => {
    // A newer server on the same folder may have replaced it: only our own is removed.
    if (readLocalAccess(dataDir)?.pid === access.pid) rmSync(path, { force: true });
  };
}

/** What the data folder's server published, if it did; the caller checks the pid is alive. */
export function readLocalAccess(dataDir: string): LocalAccess | undefined {
  let text: string;
  try {
    text = readFileSync(join(resolve(dataDir), LOCAL_ACCESS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<LocalAccess>;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    typeof parsed.pid !== 'number' ||
    typeof parsed.url !== 'string' ||
    typeof parsed.key !== 'string'
  ) {
    return undefined;
  }
  return { pid: parsed.pid, url: parsed.url, key: parsed.key };
}
