import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { type HooklineProcess, startHooklineProcess } from '../../test/support/process.ts';
import { round, summarize } from '../stats.ts';

/**
 * Scale-out: does throughput grow with worker processes when the receivers, not the CPU, are
 * the bound? One API process and 1 or 2 worker processes (default concurrency) drain a backlog
 * to endpoints answering in 100 to 300 ms; what is measured is deliveries completed per second
 * while the backlog lasts. Rounds alternate between one and two workers.
 */
export interface ScaleOutResults {
  oneWorkerPerSecond: number;
  twoWorkersPerSecond: number;
  ratio: number;
  settings: { endpoints: number; deliveriesPerRound: number; rounds: number; answerMs: string };
}

const ADMIN_KEY = 'bench-operator-key-0123456789abcdef';
const ENDPOINTS = 20;

interface SlowReceivers {
  urls: string[];
  answered: () => number;
  close(): Promise<void>;
}

/** Endpoints that answer 200 after 100 to 300 ms (uniform), counting what they answered. */
async function startSlowReceivers(count: number): Promise<SlowReceivers> {
  let answered = 0;
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        setTimeout(
          () => {
            answered++;
            res.writeHead(200, { 'content-length': '0' }).end();
          },
          100 + Math.random() * 200,
        );
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`),
    answered: () => answered,
    async close() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

async function graphql(pool: Pool, apiKey: string, query: string, variables = {}) {
  const res = await pool.request({
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few known fields of each answer.
  const body = (await res.body.json()) as { data?: any; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** One round: a fresh set of processes on a fresh database, a backlog, the drain rate. */
async function round1(
  databaseUrl: string,
  workers: number,
  events: number,
  receivers: SlowReceivers,
): Promise<number> {
  const settings = {
    DATABASE_URL: databaseUrl,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
  };
  const processes: HooklineProcess[] = [];
  const api = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' });
  processes.push(api);
  const pool = new Pool(api.url, { connections: 32, pipelining: 1 });
  try {
    await api.waitReady();
    const { createOrganization } = await graphql(
      pool,
      ADMIN_KEY,
      'mutation { createOrganization(input: { name: "Scale" }) { apiKey } }',
    );
    const apiKey: string = createOrganization.apiKey;
    const { createAgent } = await graphql(
      pool,
      apiKey,
      'mutation { createAgent(input: { name: "Outbound" }) { agent { id } } }',
    );
    const agentId: string = createAgent.agent.id;
    for (const url of receivers.urls) {
      const { createWebhook } = await graphql(
        pool,
        apiKey,
        'mutation ($url: String!) { createWebhook(input: { url: $url }) { webhook { id } } }',
        { url },
      );
      await graphql(
        pool,
        apiKey,
        'mutation ($w: ID!, $a: ID!) { attachWebhook(input: { webhookId: $w, agentId: $a, events: [PRE_CONVERSATION] }) { subscription { createdAt } } }',
        { w: createWebhook.webhook.id, a: agentId },
      );
    }
    // The backlog first, while no worker runs: then the workers start together.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < events) {
          const callId = `scale_${next++}`;
          await graphql(
            pool,
            apiKey,
            'mutation ($input: EmitEventInput!) { emitEvent(input: $input) { event { id } } }',
            {
              input: {
                agentId,
                type: 'PRE_CONVERSATION',
                payload: { callId, callerPhoneNumber: '+14155550123', direction: 'inbound' },
              },
            },
          );
        }
      }),
    );
    const total = events * receivers.urls.length;
    const before = receivers.answered();
    for (let i = 0; i < workers; i++) {
      processes.push(await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'worker' }));
    }
    await Promise.all(processes.slice(1).map((p) => p.waitReady()));
    // The drain's middle: from 10 % to 90 % of the backlog, leaving out start-up and the tail.
    const done = () => receivers.answered() - before;
    const at = async (share: number) => {
      while (done() < total * share) await new Promise((resolve) => setTimeout(resolve, 20));
      return performance.now();
    };
    const from = await at(0.1);
    const to = await at(0.9);
    return (total * 0.8 * 1000) / (to - from);
  } finally {
    await pool.close();
    await Promise.all(processes.map((p) => p.stop().catch(() => p.kill())));
  }
}

export async function runScaleOut(
  freshDatabase: () => Promise<{ url: string; drop(): Promise<void> }>,
  options: { rounds: number; events: number; log: (message: string) => void },
): Promise<ScaleOutResults> {
  const receivers = await startSlowReceivers(ENDPOINTS);
  const samples: Record<1 | 2, number[]> = { 1: [], 2: [] };
  try {
    for (let r = 0; r < options.rounds; r++) {
      for (const workers of r % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
        const database = await freshDatabase();
        try {
          const rate = await round1(database.url, workers, options.events, receivers);
          samples[workers].push(rate);
          options.log(`scale-out round ${r + 1}: ${workers} worker(s) ${Math.round(rate)}/s`);
        } finally {
          await database.drop();
        }
      }
    }
  } finally {
    await receivers.close();
  }
  const one = summarize(samples[1]).median;
  const two = summarize(samples[2]).median;
  return {
    oneWorkerPerSecond: round(one, 1),
    twoWorkersPerSecond: round(two, 1),
    ratio: round(two / one, 2),
    settings: {
      endpoints: ENDPOINTS,
      deliveriesPerRound: options.events * ENDPOINTS,
      rounds: options.rounds,
      answerMs: '100-300',
    },
  };
}
