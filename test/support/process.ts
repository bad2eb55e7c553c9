import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/**
 * Hookline as a real child process (`node src/main.ts`), for tests where processes matter:
 * restarts, kills, several API and worker processes on one database.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 60_000;

export interface HooklineProcess {
  process: ChildProcess;
  port: number;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
  waitReady(): Promise<void>;
  /** SIGTERM, then the exit code; fails if it does not exit within 20 s. */
  stop(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<HooklineProcess>();

/** A port nobody listens on right now: the child must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((ok) => child.once('exit', (code) => ok(code)));
}

export async function startHooklineProcess(
  settings: Record<string, string>,
  options: { nodeArgs?: readonly string[] } = {},
): Promise<HooklineProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Whatever the developer's shell carries must not reach the child: it would pick another
  // database or role. NODE_TEST_CONTEXT would make it talk the test runner's protocol.
  for (const name of Object.keys(env)) {
    if (name.startsWith('HOOKLINE_') || name.startsWith('PG')) delete env[name];
  }
  delete env.DATABASE_URL;
  delete env.NODE_TEST_CONTEXT;
  delete env.HOST;
  Object.assign(env, { PORT: String(port), LOG_LEVEL: 'info' }, settings);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: string) => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);

  const handle: HooklineProcess = {
    process: child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async waitReady() {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
          assert.fail(
            `hookline exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`,
          );
        }
        const status = await fetch(`${handle.url}/readyz`, { signal: AbortSignal.timeout(2_000) })
          .then((res) => res.status)
          .catch(() => 0);
        if (status === 200) return;
        await new Promise((ok) => setTimeout(ok, 200));
      }
      assert.fail(`hookline was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited(child),
        new Promise<'hung'>((ok) => setTimeout(() => ok('hung'), 20_000).unref()),
      ]);
      running.delete(handle);
      assert.notEqual(code, 'hung', `hookline did not stop within 20 s of SIGTERM:\n${output}`);
      return code as number | null;
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      await exited(child);
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** For `after` hooks: nothing a test started may outlive it. */
export async function killAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill('SIGKILL')));
}
