import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateOrganizationDocument,
  CreateWebhookDocument,
  createHooklineClient,
  EmitEventDocument,
  type HooklineClient,
  HooklineRequestError,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres.ts';

/**
 * PostgreSQL goes away under load and comes back. An `api` and a `worker` process run on a
 * cluster of the test's own while four loops emit events without pause; the cluster is stopped
 * (fast shutdown: every session is cut), stays down for a few seconds, and starts again. Neither
 * process is restarted. The contract: an emit that succeeded is delivered, whenever it happened;
 * an emit during the outage fails with an answer (it may be lost, and the caller knows it);
 * readiness reports the outage and the recovery.
 */
const OUTAGE_MS = 5_000;
const EMIT_LOOPS = 4;
/** An emit that takes longer than this is a hang, not an error answer. */
const EMIT_HANG_MS = 30_000;

let cluster: ThrowawayPostgres | undefined;
let receiver: Receiver | undefined;
const clients: HooklineClient[] = [];
/** The emit loops run while this is true; a failed assertion must not leave them running. */
let loading = false;
after(async () => {
  loading = false;
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await receiver?.close();
  await cluster?.destroy();
});

interface Emit {
  callId: string;
  startedAt: number;
  durationMs: number;
  eventId?: string;
  error?: unknown;
}

/** The end of both processes' logs, for failure messages. */
const tails = (...processes: HooklineProcess[]) =>
  processes.map((p) => `--- ${p.url}:\n${p.output().slice(-3_000)}`).join('\n');

/** Warnings and errors a process logged, counted by message. */
function problems(process: HooklineProcess): string {
  const counts = new Map<string, number>();
  for (const line of process.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { level: number; msg: string };
    if (entry.level >= 40) counts.set(entry.msg, (counts.get(entry.msg) ?? 0) + 1);
  }
  return JSON.stringify(Object.fromEntries(counts));
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function readyStatus(process: HooklineProcess): Promise<number> {
  return fetch(`${process.url}/readyz`, { signal: AbortSignal.timeout(5_000) })
    .then((res) => res.status)
    .catch(() => 0);
}

test('PostgreSQL restarts under load: both processes recover by themselves and every accepted event is delivered', async (t) => {
  cluster = await createThrowawayPostgres();
  await cluster.start();
  const setup = new pg.Client({ connectionString: cluster.url() });
  await setup.connect();
  await setup.query('create database hookline');
  await setup.end();

  receiver = await startReceiver();
  const settings = {
    DATABASE_URL: cluster.url('hookline'),
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    // A job whose result could not be recorded (the database went away) stays active and is
    // handed out again after the request timeout plus 15 s.
    HOOKLINE_REQUEST_TIMEOUT_MS: '5000',
    HOOKLINE_RETRY_SCHEDULE: '1,1,2,2,3,3,5,5',
    HOOKLINE_DB_POOL_SIZE: '6',
    // The load is the point here, not the per-key mutation limit.
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
  };
  const api = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' });
  await api.waitReady();
  const worker = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'worker' });
  await worker.waitReady();

  const operator = createHooklineClient({ url: api.url, apiKey: TEST_ADMIN_KEY });
  clients.push(operator);
  const org = await operator.request(CreateOrganizationDocument, { input: { name: 'Restart' } });
  // Every emit must come back within EMIT_HANG_MS, with data or with an error.
  const client = createHooklineClient({
    url: api.url,
    apiKey: org.createOrganization.apiKey,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(EMIT_HANG_MS) }),
  });
  clients.push(client);
  // Each event fans out to two webhooks.
  const { agentId } = await agentWithWebhook(client, `${receiver.url}/first`, ['PRE_CONVERSATION']);
  const second = await client.request(CreateWebhookDocument, {
    input: { url: `${receiver.url}/second`, description: 'second receiver' },
  });
  await client.request(AttachWebhookDocument, {
    input: { webhookId: second.createWebhook.webhook.id, agentId, events: ['PRE_CONVERSATION'] },
  });

  // The load: EMIT_LOOPS loops emitting back to back until told to stop.
  const emits: Emit[] = [];
  let sequence = 0;
  loading = true;
  const loop = async () => {
    while (loading) {
      const emit: Emit = { callId: `call_${++sequence}`, startedAt: Date.now(), durationMs: 0 };
      emits.push(emit);
      try {
        const result = await client.request(EmitEventDocument, {
          input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(emit.callId) },
        });
        emit.eventId = result.emitEvent.event.id;
      } catch (error) {
        emit.error = error;
        await sleep(100);
      }
      emit.durationMs = Date.now() - emit.startedAt;
    }
  };
  const succeeded = () => emits.filter((e) => e.eventId);
  const loops = Array.from({ length: EMIT_LOOPS }, loop);

  await eventually(() => (succeeded().length >= 40 ? true : undefined), {
    timeoutMs: 60_000,
    message: '40 events accepted before the outage',
  });
  const acceptedBefore = succeeded().length;

  // The outage: fast shutdown, a few seconds down, readiness polled all along.
  const stoppedAt = Date.now();
  await cluster.stop();
  const readiness: Array<{ role: string; status: number }> = [];
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    const [apiStatus, workerStatus] = await Promise.all([readyStatus(api), readyStatus(worker)]);
    readiness.push({ role: 'api', status: apiStatus }, { role: 'worker', status: workerStatus });
    await sleep(250);
  }
  const restartedAt = Date.now();
  await cluster.start();

  assert.ok(readiness.length >= 4, 'readiness was polled during the outage');
  assert.deepEqual(
    readiness.filter((r) => r.status !== 503),
    [],
    `every readiness probe during the outage answers 503\n${tails(api, worker)}`,
  );

  // Recovery, by themselves: the same processes, ready again.
  await eventually(
    async () =>
      ((await readyStatus(api)) === 200 && (await readyStatus(worker)) === 200) || undefined,
    { timeoutMs: 60_000, intervalMs: 250, message: 'both processes ready after the restart' },
  );
  const readyAgainMs = Date.now() - restartedAt;
  // Load continues after the recovery until fresh events have been accepted.
  const acceptedBeforeRecovery = succeeded().length;
  await eventually(() => (succeeded().length >= acceptedBeforeRecovery + 40 ? true : undefined), {
    timeoutMs: 60_000,
    message: '40 more events accepted after the restart',
  });
  loading = false;
  await Promise.all(loops);

  for (const p of [api, worker]) {
    assert.equal(p.process.exitCode, null, `a process exited:\n${tails(p)}`);
    assert.equal(p.process.signalCode, null);
  }

  // Emits that failed got an answer (a GraphQL error), never a hang or a dropped connection.
  const failed = emits.filter((e) => e.error);
  for (const emit of failed) {
    assert.ok(
      emit.error instanceof HooklineRequestError,
      `${emit.callId} failed without an error answer after ${emit.durationMs} ms: ${String(emit.error)}`,
    );
    // What went wrong inside (a lost connection, the server's own words) stays in the log.
    assert.deepEqual(
      emit.error.errors.map((e) => e.message),
      ['Unexpected error.'],
      `${emit.callId}: internal errors are masked`,
    );
  }
  const errorDuringOutage = failed.filter(
    (e) => e.startedAt + e.durationMs >= stoppedAt && e.startedAt <= restartedAt + readyAgainMs,
  );
  assert.ok(errorDuringOutage.length > 0, 'emits during the outage were refused');

  // Every accepted event reaches both webhooks and its deliveries end SUCCEEDED.
  const accepted = succeeded();
  const expected = new Set(accepted.flatMap((e) => [`/first ${e.callId}`, `/second ${e.callId}`]));
  const keysReceived = () =>
    receiver!.requests.map(
      (r) => `${r.path} ${(JSON.parse(r.body) as { data: { callId: string } }).data.callId}`,
    );
  const seen = () => new Set(keysReceived());
  const db = new pg.Client({ connectionString: cluster.url('hookline') });
  await db.connect();
  try {
    const eventIds = accepted.map((e) => e.eventId!);
    const pending = await eventually(
      async () => {
        const received = seen();
        const missing = [...expected].filter((key) => !received.has(key));
        const { rows } = await db.query<{ status: string; n: number }>(
          `select status, count(*)::int as n from deliveries where event_id = any($1) group by status`,
          [eventIds],
        );
        const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        const done = missing.length === 0 && byStatus.SUCCEEDED === eventIds.length * 2;
        return done ? byStatus : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'every accepted event delivered' },
    ).catch(async (error) => {
      const received = seen();
      const missing = [...expected].filter((key) => !received.has(key));
      const { rows } = await db.query(
        `select d.status, count(*)::int as n from deliveries d where event_id = any($1) group by d.status`,
        [eventIds],
      );
      assert.fail(
        `${String(error)}\nnot received: ${missing.slice(0, 20).join(', ')} (${missing.length})` +
          `\ndeliveries: ${JSON.stringify(rows)}\n${tails(api, worker)}`,
      );
    });
    assert.deepEqual(pending, { SUCCEEDED: accepted.length * 2 });

    // The LISTEN connections came back too (wake-ups and live feeds rely on them).
    await eventually(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where application_name = 'hookline-listener'`,
        );
        return rows[0]!.n >= 2 ? true : undefined;
      },
      { timeoutMs: 30_000, message: 'both LISTEN connections restored' },
    );
  } finally {
    await db.end();
  }

  // Duplicates: a result not recorded when the database went away is sent again after expiry.
  const times = new Map<string, number>();
  for (const key of keysReceived()) times.set(key, (times.get(key) ?? 0) + 1);
  const duplicates = [...expected].reduce(
    (n, key) => n + Math.max(0, (times.get(key) ?? 0) - 1),
    0,
  );
  // A refused emit may still have committed (the answer was lost, not the event): delivered too.
  const refusedButDelivered = [...times.keys()].filter((key) => !expected.has(key)).length;
  t.diagnostic(
    `accepted ${accepted.length} events (${acceptedBefore} before the outage), refused ${failed.length}; ` +
      `ready ${readyAgainMs} ms after the restart; ${receiver.requests.length} requests for ` +
      `${expected.size} deliveries: ${duplicates} duplicates, ${refusedButDelivered} of refused emits`,
  );

  for (const p of [api, worker])
    t.diagnostic(`${p === api ? 'api' : 'worker'} logged: ${problems(p)}`);

  // And both still stop cleanly.
  assert.equal(await worker.stop(), 0);
  assert.equal(await api.stop(), 0);
});
