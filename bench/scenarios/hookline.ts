import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type HooklineProcess, startHooklineProcess } from '../../test/support/process.ts';
import {
  Api,
  attachNewWebhook,
  benchSettings,
  createAgent,
  createOrganization,
  EMIT,
  preConversation,
} from '../api.ts';
import type { BenchReceiver } from '../receiver.ts';
import { waitUntil } from '../receiver.ts';
import { withConcurrency } from '../signed-post.ts';
import type { RoundResult } from './types.ts';

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

export async function startHooklineUnderTest(
  databaseUrl: string,
  receiverUrl: string,
  options: { profileDir?: string; split?: boolean; env?: Record<string, string> } = {},
): Promise<HooklineUnderTest> {
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const settings = {
    ...benchSettings(databaseUrl),
    // A thousand subscribers share one organization's key: measure their cost, not the cap.
    HOOKLINE_MAX_CONNECTIONS_PER_KEY: '5000',
    ...options.env,
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
  const api = new Api(process.url, 128);
  const created: Tenant[] = [await createTenant(api, 'Bench', receiverUrl)];
  const [first] = created as [Tenant];

  const emit = async (callId: string, tenant: Tenant = first) => {
    await api.graphql(tenant.apiKey, EMIT, {
      input: {
        agentId: tenant.agentId,
        type: 'PRE_CONVERSATION',
        payload: preConversation(callId),
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
        created.push(await createTenant(api, `Bench ${created.length + 1}`, receiverUrl));
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
      await api.close();
      await worker?.stop();
      await process.stop();
    },
  };
}

/** An organization with an agent and a webhook to the receiver, for PRE_CONVERSATION events. */
async function createTenant(api: Api, name: string, receiverUrl: string): Promise<Tenant> {
  const apiKey = await createOrganization(api, name);
  const agentId = await createAgent(api, apiKey, { name: 'Bench agent' });
  // P measures the engine, not the cap on one endpoint: its one receiver may take as many
  // requests at once as a worker sends (the default, 8, holds it to about a third of that).
  const webhookId = await attachNewWebhook(api, apiKey, agentId, receiverUrl, {
    maxConcurrency: 64,
  });
  return { apiKey, agentId, webhookId };
}
