import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateOrganizationDocument,
  createHooklineClient,
  EmitEventDocument,
  UpdateWebhookDocument,
} from '@hookline/client';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * A webhook's maxConcurrency holds across every worker process: pg-boss counts the endpoint's
 * active jobs in the database, not in one process's memory.
 */
let database: TestDatabase;
let receiver: Receiver;
const processes: HooklineProcess[] = [];
let inFlight = 0;
let mostInFlight = 0;

before(async () => {
  database = await createTestDatabase('endpoint_concurrency');
  receiver = await startReceiver(async (_req, res) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 150));
    inFlight--;
    res.writeHead(200).end();
  });
  const settings = {
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    HOOKLINE_DB_POOL_SIZE: '4',
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
  };
  // One at a time on a fresh database: the first one sets it up.
  processes.push(await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' }));
  await processes[0]!.waitReady();
  // Two slots each: together they could send 4 at once, one alone only 2.
  for (let i = 0; i < 2; i++) {
    const worker = await startHooklineProcess({
      ...settings,
      HOOKLINE_ROLE: 'worker',
      HOOKLINE_WORKER_CONCURRENCY: '2',
    });
    processes.push(worker);
    await worker.waitReady();
  }
});

after(async () => {
  await killAllProcesses();
  await receiver?.close();
  await database?.drop();
});

test("two worker processes together never exceed a webhook's maxConcurrency", async () => {
  const api = processes[0]!;
  const operator = createHooklineClient({ url: api.url, apiKey: TEST_ADMIN_KEY });
  const { createOrganization } = await operator.request(CreateOrganizationDocument, {
    input: { name: 'Acme Voice' },
  });
  const client = createHooklineClient({ url: api.url, apiKey: createOrganization.apiKey });
  try {
    const { agentId, webhookId } = await agentWithWebhook(client, receiver.url);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, maxConcurrency: 3 } });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.request(EmitEventDocument, {
          input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(`call_${i}`) },
        }),
      ),
    );
    await receiver.waitFor(40, 60_000);
    // 3 needs both workers at once (each has 2 slots); 4 would break the webhook's limit.
    assert.equal(mostInFlight, 3, `at most ${mostInFlight} requests were in flight at once`);
  } finally {
    await Promise.all([operator.close(), client.close()]);
  }
});
