import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import {
  createKeyring,
  generateEncryptionKey,
  type Keyring,
  parseEncryptionKey,
} from '../shared/keyring.ts';
import type { Logger } from '../shared/logger.ts';

/** Where a key Hookline generated for itself is kept, in the data folder. */
export const ENCRYPTION_KEY_FILE = 'encryption.key';

/**
 * The keyring secrets at rest are sealed with. HOOKLINE_ENCRYPTION_KEY when set (required with
 * DATABASE_URL in production: config.ts refuses to start without it). Otherwise the key in the
 * data folder, generated there on the first start: the embedded database lives in that folder
 * too, so the key goes wherever the data goes. With DATABASE_URL outside production the same
 * file serves, with a warning: every process on that database must read the same key, which
 * holds for processes started from the same folder (as in development and the tests), not for
 * several machines.
 */
export function openKeyring(config: Config, logger: Logger): Keyring {
  const { key, previousKeys } = config.encryption;
  if (key) return createKeyring(key, previousKeys);
  const path = join(resolve(config.dataDir), ENCRYPTION_KEY_FILE);
  const { key: stored, created } = readOrCreateKeyFile(path);
  if (created) logger.info({ path }, 'generated an encryption key for secrets at rest');
  if (config.databaseUrl) {
    logger.warn(
      { path },
      'HOOKLINE_ENCRYPTION_KEY is not set: secrets at rest use the key in the data folder; every process on this database must use the same key (set HOOKLINE_ENCRYPTION_KEY)',
    );
  }
  return createKeyring(stored, previousKeys);
}

/**
 * Reads the key file, or writes a new key to it. Several processes may start at once: the key
 * is written to a file of its own and linked into place, which fails if another got there
 * first (then its key is read), so nobody ever reads half a file or replaces another's key.
 */
function readOrCreateKeyFile(path: string): { key: Buffer; created: boolean } {
  const existing = readKeyFile(path);
  if (existing) return { key: existing, created: false };
  mkdirSync(resolve(path, '..'), { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const key = generateEncryptionKey();
  writeFileSync(temporary, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return { key, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: readKeyFile(path)!, created: false };
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return parseEncryptionKey(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
