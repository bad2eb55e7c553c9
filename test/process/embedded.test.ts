import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  AgentDocument,
  AgentsDocument,
  CreateAgentDocument,
  CreateOrganizationDocument,
  createHooklineClient,
  DeliveryAttemptsDocument,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { collect, mapItems } from '../support/live.ts';
import { exited, killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';

/**
 * `node src/main.ts` with no DATABASE_URL: the zero-setup mode on embedded PGlite. Real child
 * processes, so what is proven is what a user gets: the data folder survives a restart, a clean
 * SIGTERM exits 0, and a second process on the same folder is refused instead of corrupting it.
 */
const ADMIN_KEY = 'embedded-test-operator-key-0123456789';

const dataDir = mkdtempSync(join(tmpdir(), 'hookline-embedded-'));
const clients: HooklineClient[] = [];
let receiver: Receiver | undefined;

after(async () => {
  await receiver?.close();
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

const startChild = () =>
  startHooklineProcess({
    HOOKLINE_DATA_DIR: dataDir,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
  });

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
    await first.waitReady();
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

  await t.test('delivers an event, signed, and the live feed shows the attempt', async () => {
    receiver = await startReceiver();
    // An organization of its own: the steps around this one count the first one's agents.
    const created = await client(first.url, ADMIN_KEY).request(CreateOrganizationDocument, {
      input: { name: 'Embedded deliveries' },
    });
    const org = client(first.url, created.createOrganization.apiKey);
    const { agentId: callerAgent, signingSecret } = await agentWithWebhook(org, receiver.url);
    const feed = collect(
      mapItems(org.subscribe(DeliveryAttemptsDocument, {}), (d) => d.deliveryAttempts),
    );
    try {
      // The subscription has no acknowledgement: emit until its first attempt shows up.
      const emitted: string[] = [];
      const seen = (async () => {
        for (;;) {
          const { emitEvent } = await org.request(EmitEventDocument, {
            input: { agentId: callerAgent, type: 'PRE_CONVERSATION', payload: preConversation() },
          });
          emitted.push(emitEvent.event.id);
          if (feed.items.length > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const attempt = await feed.waitFor(() => true, 'a live attempt');
      await seen;
      assert.equal(attempt.responseStatus, 200);
      assert.ok(emitted.includes(attempt.delivery.event.id));
      const [request] = await receiver.waitFor(1);
      const body = new StandardWebhook(signingSecret).verify(request!.body, request!.headers);
      assert.equal((body as { type: string }).type, 'pre-conversation');
    } finally {
      await feed.stop();
    }
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
    assert.ok(existsSync(lockPath));
    assert.equal(
      readFileSync(join(dataDir, 'hookline.pid'), 'utf8').trim(),
      String(first.process.pid),
    );
    const ready = await fetch(`${first.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  await t.test('SIGTERM stops it cleanly with exit code 0 and releases the lock', async () => {
    assert.equal(await first.stop(), 0, first.output());
    assert.equal(existsSync(lockPath), false, 'the lockfile is removed on a clean stop');
  });

  await t.test('started again on the same folder, the agent is still there', async () => {
    const again = await startChild();
    await again.waitReady();
    const org = client(again.url, apiKey);
    const found = await org.request(AgentDocument, { id: agentId });
    assert.equal(found.agent?.name, 'Persistent agent');
    const list = await org.request(AgentsDocument, { first: 10 });
    assert.deepEqual(
      list.agents.edges.map((e) => e.node.id),
      [agentId],
    );
    assert.equal(await again.stop(), 0, again.output());
  });

  await t.test("after a crash, a new start takes the dead process's lock over", async () => {
    const crashed = await startChild();
    await crashed.waitReady();
    await crashed.kill('SIGKILL');
    assert.ok(existsSync(lockPath), 'a killed process leaves its lock behind');
    // The lock goes stale within seconds, whatever became of the dead process's pid.
    const next = await startChild();
    await next.waitReady();
    assert.equal(
      readFileSync(join(dataDir, 'hookline.pid'), 'utf8').trim(),
      String(next.process.pid),
    );
    assert.equal(await next.stop(), 0, next.output());
  });
});
