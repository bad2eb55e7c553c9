import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** One round: a fresh set of processes on a fresh database, a backlog, the drain rate. */
async function round1(
  databaseUrl: string,
  workers: number,
  events: number,
  receivers: SlowReceivers,
): Promise<number> {
  const settings = benchSettings(databaseUrl);
  const processes: HooklineProcess[] = [];
  const api = await startHooklineProcess({ ...settings, HOOKLINE_ROLE: 'api' });
  processes.push(api);
  const client = new Api(api.url, 32);
  try {
    await api.waitReady();
    const apiKey = await createOrganization(client, 'Scale');
    const agentId = await createAgent(client, apiKey, { name: 'Outbound' });
    for (const url of receivers.urls) await attachNewWebhook(client, apiKey, agentId, url);
    // The backlog first, while no worker runs: then the workers start together.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < events) {
          const callId = `scale_${next++}`;
          await client.graphql(apiKey, EMIT, {
            input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
          });
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
    await client.close();
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
