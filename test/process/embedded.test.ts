import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  AgentDocument,
  AgentsDocument,
  CreateAgentDocument,
  CreateOrganizationDocument,
  createHooklineClient,
  type HooklineClient,
} from '../../src/client/index.ts';

/**
 * `node src/main.ts` with no DATABASE_URL: the zero-setup mode on embedded PGlite. Real child
 * processes, so what is proven is what a user gets: the data folder survives a restart, a clean
 * SIGTERM exits 0, and a second process on the same folder is refused instead of corrupting it.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN_KEY = 'embedded-test-operator-key-0123456789';
const READY_TIMEOUT_MS = 60_000;

const dataDir = mkdtempSync(join(tmpdir(), 'hookline-embedded-'));
const children: ChildProcess[] = [];
const clients: HooklineClient[] = [];

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.all(children.map((child) => exited(child)));
  rmSync(dataDir, { recursive: true, force: true });
});

/** A port nobody listens on right now: the child must be told its port up front. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

interface Child {
  process: ChildProcess;
  port: number;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((ok) => child.once('exit', (code) => ok(code)));
}

async function startChild(): Promise<Child> {
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
  Object.assign(env, {
    HOOKLINE_DATA_DIR: dataDir,
    PORT: String(port),
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'info',
  });
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return { process: child, port, url: `http://127.0.0.1:${port}`, output: () => output };
}

/** Polls /readyz until 200; fails at once if the child dies first. */
async function waitReady(child: Child): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      assert.fail(
        `hookline exited (${child.process.exitCode ?? child.process.signalCode}) before it was ready:\n${child.output()}`,
      );
    }
    const status = await fetch(`${child.url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((res) => res.status)
      .catch(() => 0);
    if (status === 200) return;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.fail(`hookline was not ready within ${READY_TIMEOUT_MS} ms:\n${child.output()}`);
}

async function stopChild(child: Child): Promise<number | null> {
  child.process.kill('SIGTERM');
  const code = await Promise.race([
    exited(child.process),
    new Promise<'hung'>((ok) => setTimeout(() => ok('hung'), 20_000).unref()),
  ]);
  assert.notEqual(code, 'hung', `hookline did not stop within 20 s of SIGTERM:\n${child.output()}`);
  return code as number | null;
}

function client(url: string, apiKey: string): HooklineClient {
  const c = createHooklineClient({ url, apiKey });
  clients.push(c);
  return c;
}

test('embedded PGlite: data survives a restart, SIGTERM exits 0, a second process is refused', {
  timeout: 180_000,
}, async (t) => {
  const lockPath = join(dataDir, 'hookline.lock');
  let apiKey = '';
  let agentId = '';

  const first = await startChild();
  await t.test('starts on an empty data folder and serves the API', async () => {
    await waitReady(first);
    assert.match(first.output(), /embedded PGlite/, 'it says it uses the embedded database');
    const created = await client(first.url, ADMIN_KEY).request(CreateOrganizationDocument, {
      input: { name: 'Embedded Co' },
    });
    apiKey = created.createOrganization.apiKey;
    const agent = await client(first.url, apiKey).request(CreateAgentDocument, {
      input: { name: 'Persistent agent' },
    });
    agentId = agent.createAgent.agent.id;
  });

  await t.test('a second process on the same data folder exits non-zero', async () => {
    const second = await startChild();
    const code = await Promise.race([
      exited(second.process),
      new Promise<'hung'>((ok) => setTimeout(() => ok('hung'), 30_000).unref()),
    ]);
    assert.notEqual(code, 'hung', `the second process kept running:\n${second.output()}`);
    assert.notEqual(code, 0);
    assert.match(second.output(), /in use/, second.output());
    assert.ok(second.output().includes(String(first.process.pid)), 'names the process holding it');
    // The refused process must leave the lock, and the database, to the first one.
    assert.equal(readFileSync(lockPath, 'utf8').trim(), String(first.process.pid));
    const ready = await fetch(`${first.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  await t.test('SIGTERM stops it cleanly with exit code 0 and releases the lock', async () => {
    assert.equal(await stopChild(first), 0, first.output());
    assert.equal(existsSync(lockPath), false, 'the lockfile is removed on a clean stop');
  });

  await t.test('started again on the same folder, the agent is still there', async () => {
    const again = await startChild();
    await waitReady(again);
    const org = client(again.url, apiKey);
    const found = await org.request(AgentDocument, { id: agentId });
    assert.equal(found.agent?.name, 'Persistent agent');
    const list = await org.request(AgentsDocument, { first: 10 });
    assert.deepEqual(
      list.agents.edges.map((e) => e.node.id),
      [agentId],
    );
    assert.equal(await stopChild(again), 0, again.output());
  });
});
