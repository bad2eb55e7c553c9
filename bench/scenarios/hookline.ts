import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import { type HooklineProcess, startHooklineProcess } from '../../test/support/process.ts';
import type { BenchReceiver } from '../receiver.ts';
import { waitUntil } from '../receiver.ts';
import { withConcurrency } from '../signed-post.ts';
import type { RoundResult } from './types.ts';

const ADMIN_KEY = 'bench-operator-key-0123456789abcdef';
/** Production with DATABASE_URL needs an encryption key for secrets at rest (docs/operations.md). */
const ENCRYPTION_KEY = 'be'.repeat(32);

const EMIT = `mutation Emit($input: EmitEventInput!) { emitEvent(input: $input) { event { id } } }`;
const SUBSCRIBERS_SCRIPT = join(import.meta.dirname, '..', 'subscribers.ts');

/**
 * P: Hookline end to end. A real server process (API and worker, on PostgreSQL); events go in
 * through the GraphQL API, come out of the worker signed and logged, and reach the receiver.
 */
/** One organization of P's, with its agent and its webhook (to the receiver). */
export interface Tenant {
  apiKey: string;
  agentId: string;
  webhookId: string;
}

/** Live subscribers attached to P, in a child process. */
export interface AttachedSubscribers {
  /** Attempts they have seen, as of their last report. */
  seen: () => number;
  detach: () => Promise<void>;
}

export interface HooklineUnderTest {
  process: HooklineProcess;
  webhookId: string;
  /** Emits one event, to the first organization's webhook unless told otherwise. */
  emit(callId: string, tenant?: Tenant): Promise<void>;
  /**
   * Emits `count` events with at most `concurrency` requests in flight, call ids `${tag}_${i}`,
   * spread in turn over `tenants` (by default the first organization alone).
   */
  run(
    receiver: BenchReceiver,
    tag: string,
    count: number,
    concurrency: number,
    tenants?: readonly Tenant[],
  ): Promise<RoundResult>;
  /** The first `n` organizations (the first is the one `emit` uses), created when first asked. */
  tenants(n: number): Promise<readonly Tenant[]>;
  /** Attaches `n` graphql-ws subscribers to each tenant's webhook's attempts (the first's by default). */
  attachSubscribers(n: number, tenants?: readonly Tenant[]): Promise<AttachedSubscribers>;
  stop(): Promise<void>;
}

async function graphql(
  pool: Pool,
  apiKey: string,
  query: string,
  variables: Record<string, unknown>,
) {
  const res = await pool.request({
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few known fields of each answer.
  const body = (await res.body.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

export async function startHooklineUnderTest(
  databaseUrl: string,
  receiverUrl: string,
  options: { profileDir?: string; split?: boolean } = {},
): Promise<HooklineUnderTest> {
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const settings = {
    DATABASE_URL: databaseUrl,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    HOOKLINE_ENCRYPTION_KEY: ENCRYPTION_KEY,
    // One key emits thousands of events a minute here: measure delivery, not the rate limit.
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
    // A thousand subscribers share one organization's key: measure their cost, not the cap.
    HOOKLINE_MAX_CONNECTIONS_PER_KEY: '5000',
  };
  const process = await startHooklineProcess(
    { ...settings, HOOKLINE_ROLE: options.split ? 'api' : 'all' },
    { nodeArgs },
  );
  await process.waitReady();
  const worker = options.split
    ? await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'worker' }, { nodeArgs })
    : undefined;
  await worker?.waitReady();
  const pool = new Pool(process.url, { connections: 128, pipelining: 1 });
  const created: Tenant[] = [await createTenant(pool, 'Bench', receiverUrl)];
  const [first] = created as [Tenant];

  const emit = async (callId: string, tenant: Tenant = first) => {
    await graphql(pool, tenant.apiKey, EMIT, {
      input: {
        agentId: tenant.agentId,
        type: 'PRE_CONVERSATION',
        payload: { callId, callerPhoneNumber: '+14155550123', direction: 'inbound' },
      },
    });
  };

  return {
    process,
    webhookId: first.webhookId,
    emit,
    async run(receiver, tag, count, concurrency, tenants = [first]) {
      let arrived = 0;
      const previous = receiver.onArrival;
      receiver.onArrival = (id, callId, at) => {
        previous?.(id, callId, at);
        if (callId?.startsWith(`${tag}_`)) arrived++;
      };
      const before = receiver.total();
      const started = performance.now();
      await withConcurrency(count, concurrency, (i) =>
        emit(`${tag}_${i}`, tenants[i % tenants.length]),
      );
      const finished = await waitUntil(() => arrived, count, 120_000);
      receiver.onArrival = previous;
      return { count, elapsedMs: finished - started, received: receiver.total() - before };
    },
    async tenants(n) {
      while (created.length < n) {
        created.push(await createTenant(pool, `Bench ${created.length + 1}`, receiverUrl));
      }
      return created.slice(0, n);
    },
    async attachSubscribers(n, tenants = [first]) {
      const targets = tenants.map(({ apiKey, webhookId }) => ({ apiKey, webhookId, count: n }));
      const child = spawn(
        globalThis.process.execPath,
        [SUBSCRIBERS_SCRIPT, process.url, JSON.stringify(targets)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let seen = 0;
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`subscribers exited with ${code}`)));
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          for (const line of chunk.split('\n').filter(Boolean)) {
            if (line === 'ready') resolve();
            else seen = Number(line);
          }
        });
      });
      child.removeAllListeners('exit');
      return {
        seen: () => seen,
        async detach() {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    },
    async stop() {
      await pool.close();
      await worker?.stop();
      await process.stop();
    },
  };
}

/** An organization with an agent and a webhook to the receiver, for PRE_CONVERSATION events. */
async function createTenant(pool: Pool, name: string, receiverUrl: string): Promise<Tenant> {
  const org = await graphql(
    pool,
    ADMIN_KEY,
    'mutation ($name: String!) { createOrganization(input: { name: $name }) { apiKey } }',
    { name },
  );
  const apiKey: string = org.createOrganization.apiKey;
  const agent = await graphql(
    pool,
    apiKey,
    'mutation { createAgent(input: { name: "Bench agent" }) { agent { id } } }',
    {},
  );
  const agentId: string = agent.createAgent.agent.id;
  const webhook = await graphql(
    pool,
    apiKey,
    'mutation ($url: String!) { createWebhook(input: { url: $url }) { webhook { id } } }',
    { url: receiverUrl },
  );
  const webhookId: string = webhook.createWebhook.webhook.id;
  await graphql(
    pool,
    apiKey,
    'mutation ($w: ID!, $a: ID!) { attachWebhook(input: { webhookId: $w, agentId: $a, events: [PRE_CONVERSATION] }) { subscription { createdAt } } }',
    { w: webhookId, a: agentId },
  );
  return { apiKey, agentId, webhookId };
}
