import { resolve } from 'node:path';
import { type LocalAccess, readLocalAccess } from '../auth/local-access.ts';
import type { Config } from '../config/config.ts';
import { dataDirHolder } from '../db/data-dir-lock.ts';

/** The server that has the embedded database open, and how the CLI reaches its API. */
export interface RunningServer extends LocalAccess {
  dataDir: string;
}

/** How long a server that holds the folder but has not published its address yet may take. */
const STARTING_GRACE_MS = 15_000;

/**
 * The server holding the embedded data folder; undefined when the folder is free or the
 * database is PostgreSQL (which the CLI opens beside any number of servers).
 */
export async function findRunningServer(config: Config): Promise<RunningServer | undefined> {
  if (config.databaseUrl) return undefined;
  const dataDir = resolve(config.dataDir);
  const deadline = Date.now() + STARTING_GRACE_MS;
  for (;;) {
    const holder = dataDirHolder(dataDir);
    if (holder === undefined) return undefined;
    const access = readLocalAccess(dataDir);
    if (access && access.pid === holder) return { ...access, dataDir };
    if (Date.now() >= deadline) {
      throw new Error(
        `The embedded database in ${dataDir} is open in ${holder === 'unknown' ? 'another process' : `process ${holder}`}, which gives the CLI no API to work through: it serves none (HOOKLINE_ROLE=worker), or it is still starting. Run the command again once the server is up, or stop that process.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A command that works on the database itself, while a server has the embedded database open:
 * says what to do instead.
 */
export class ServerHoldsDatabaseError extends Error {
  constructor(command: string, server: RunningServer, instead: string) {
    super(
      [
        `\`hookline ${command}\` works on the database itself, and the embedded database in ${server.dataDir} is open in the Hookline server at ${server.url} (process ${server.pid}): one process at a time may open it.`,
        instead,
        'Or stop the server (Ctrl-C where it runs) and run the command again. On PostgreSQL (DATABASE_URL), every command works beside running servers.',
      ].join('\n'),
    );
    this.name = 'ServerHoldsDatabaseError';
  }
}
