import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { exited, freePort } from './process.ts';

/**
 * A PostgreSQL cluster of the test's own, for faults that must not touch the machine's shared
 * server: stopping it, restarting it. `initdb` and `postgres` refuse to run as root, so when the
 * test runs as root they run as the `postgres` OS user (spawned with its uid and gid) in a
 * folder it owns. The cluster listens on 127.0.0.1 only, on a free port that it keeps across
 * restarts, with trust authentication and its socket in its own folder.
 */
const BIN = process.env.TEST_POSTGRES_BIN || '/usr/lib/postgresql/15/bin';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

export interface ThrowawayPostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  running(): boolean;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): open sessions are cut at once, committed work is kept. */
  stop(): Promise<void>;
  /** Stops, stays down for `downMs`, starts again on the same port. */
  restart(downMs?: number): Promise<void>;
  /** The server's log so far (its stderr). */
  log(): string;
  /** Stops it if running and removes its folder. */
  destroy(): Promise<void>;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const user = postgresUser();
  const base = mkdtempSync(join(tmpdir(), 'hookline-pg-'));
  if (user) chownSync(base, user.uid, user.gid);
  const dataDir = join(base, 'data');
  const port = await freePort();
  const spawnOptions = { ...(user ?? {}), cwd: base, env: { ...process.env, LC_ALL: 'C' } };

  execFileSync(
    join(BIN, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ],
    { ...spawnOptions, stdio: 'pipe' },
  );

  let server: ChildProcess | undefined;
  let output = '';

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  const acceptsConnections = async (): Promise<boolean> => {
    const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  };

  const handle: ThrowawayPostgres = {
    port,
    url,
    running: () => server !== undefined,
    async start() {
      assert.equal(server, undefined, 'the throwaway cluster is already running');
      const child = spawn(
        join(BIN, 'postgres'),
        [
          '-D',
          dataDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${base}`,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=100',
        ],
        { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      server = child;
      // Should the test process end without destroy(), the server must not outlive it.
      const orphanGuard = () => child.kill('SIGKILL');
      process.once('exit', orphanGuard);
      child.once('exit', () => process.removeListener('exit', orphanGuard));
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!(await acceptsConnections())) {
        if (child.exitCode !== null || child.signalCode !== null) {
          server = undefined;
          assert.fail(`postgres exited while starting:\n${output}`);
        }
        if (Date.now() > deadline) assert.fail(`postgres did not start in time:\n${output}`);
        await new Promise((ok) => setTimeout(ok, 100));
      }
    },
    async stop() {
      const child = server;
      if (!child) return;
      // SIGINT is PostgreSQL's fast shutdown: sessions are terminated, a checkpoint is written.
      child.kill('SIGINT');
      const result = await Promise.race([
        exited(child),
        new Promise<'hung'>((ok) => setTimeout(() => ok('hung'), STOP_TIMEOUT_MS).unref()),
      ]);
      if (result === 'hung') {
        child.kill('SIGKILL');
        await exited(child);
      }
      server = undefined;
      assert.notEqual(result, 'hung', `postgres did not stop in time:\n${output}`);
    },
    async restart(downMs = 0) {
      await handle.stop();
      await new Promise((ok) => setTimeout(ok, downMs));
      await handle.start();
    },
    log: () => output,
    async destroy() {
      try {
        await handle.stop();
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
  return handle;
}
