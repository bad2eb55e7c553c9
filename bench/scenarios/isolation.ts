import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHooklineProcess } from '../../test/support/process.ts';
import {
  Api,
  attachNewWebhook,
  benchSettings,
  createAgent,
  createOrganization,
  EMIT,
  preConversation,
} from '../api.ts';
import { percentile, round } from '../stats.ts';

/**
 * The noisy neighbour: organization B's healthy endpoint gets 2 events a second while
 * organization A's endpoints misbehave, each case on a fresh Hookline (one `all` process,
 * default settings, a short retry schedule) so that no case inherits another's queue. What is
 * measured is B's event-to-receipt latency, from each event's scheduled moment.
 */
export interface LatencyFigures {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  samples: number;
  /** When emitEvent answered, from the same scheduled moment: the ingest's part. */
  acknowledgedP50Ms: number;
  acknowledgedP99Ms: number;
}

export interface IsolationResults {
  baseline: LatencyFigures;
  hang: LatencyFigures & { ratioP99: number };
  error500: LatencyFigures & { ratioP99: number };
  backlog: LatencyFigures & { ratioP99: number; drainPerSecond: number };
  fanOut: LatencyFigures & { ratioP99: number };
  settings: { seconds: number; ratePerSecond: number; queued: number; backlog: number };
}

const RATE = 2;

export type Behaviour = 'ok' | 'hang' | 'error500' | 'slow200';

/** An endpoint on loopback that behaves one way, and counts what it answered. */
export interface Endpoint {
  url: string;
  answered: number;
  onArrival?: (callId: string | undefined, at: number) => void;
  close(): Promise<void>;
}

export async function startEndpoint(behaviour: Behaviour): Promise<Endpoint> {
  const hanging = new Set<ServerResponse>();
  const endpoint: Endpoint = {
    url: '',
    answered: 0,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const answer = (res: ServerResponse, status: number) => {
    endpoint.answered++;
    res.writeHead(status, { 'content-length': '0' }).end();
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      if (endpoint.onArrival) {
        let callId: string | undefined;
        try {
          callId = JSON.parse(Buffer.concat(chunks).toString('utf8')).data?.callId;
        } catch {}
        endpoint.onArrival(callId, at);
      }
      if (behaviour === 'hang') hanging.add(res);
      else if (behaviour === 'error500') setTimeout(() => answer(res, 500), 2_000);
      else if (behaviour === 'slow200') setTimeout(() => answer(res, 200), 200);
      else answer(res, 200);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return endpoint;
}

/** An organization with one agent sending to the given endpoints. */
export async function organization(api: Api, name: string, urls: readonly string[]) {
  const apiKey = await createOrganization(api, name);
  const agentId = await createAgent(api, apiKey);
  for (const url of urls) await attachNewWebhook(api, apiKey, agentId, url);
  const emit = (callId: string) =>
    api.graphql(apiKey, EMIT, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
    });
  return { apiKey, emit };
}

/** Emits `count` events, 32 at a time. */
export async function emitMany(
  emit: (callId: string) => Promise<unknown>,
  tag: string,
  count: number,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) await emit(`${tag}_${next++}`);
    }),
  );
}

/** B's events at RATE a second, open loop; latency from each event's scheduled moment. */
async function measureB(
  emit: (callId: string) => Promise<unknown>,
  endpoint: Endpoint,
  seconds: number,
): Promise<LatencyFigures> {
  const due = new Map<string, number>();
  const latencies: number[] = [];
  endpoint.onArrival = (callId, at) => {
    const scheduled = callId ? due.get(callId) : undefined;
    if (scheduled !== undefined) latencies.push(at - scheduled);
  };
  const total = seconds * RATE;
  const start = performance.now() + 50;
  const sent: Promise<unknown>[] = [];
  const acknowledged: number[] = [];
  for (let i = 0; i < total; i++) {
    const at = start + (i * 1000) / RATE;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const callId = `b_${i}`;
    due.set(callId, at);
    sent.push(emit(callId).then(() => acknowledged.push(performance.now() - at)));
  }
  await Promise.all(sent);
  // Whatever is still on its way gets 60 s more; a B event that never comes counts as missing.
  const deadline = performance.now() + 60_000;
  while (latencies.length < total && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  endpoint.onArrival = undefined;
  const sorted = latencies.sort((a, b) => a - b);
  const missing = total - sorted.length;
  // A missing event is at least as late as the deadline: count it as such, not as nothing.
  for (let i = 0; i < missing; i++) sorted.push(Number.POSITIVE_INFINITY);
  acknowledged.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    samples: latencies.length,
    acknowledgedP50Ms: round(percentile(acknowledged, 50)),
    acknowledgedP99Ms: round(percentile(acknowledged, 99)),
  };
}

/** One `all` process with default settings, but a short retry schedule and no rate limit. */
export function startBenchHookline(databaseUrl: string) {
  return startHooklineProcess({
    ...benchSettings(databaseUrl),
    HOOKLINE_ROLE: 'all',
    HOOKLINE_RETRY_SCHEDULE: '5,10,20',
    HOOKLINE_SHUTDOWN_TIMEOUT_MS: '1000',
  });
}

export interface Case {
  /** A's endpoints, and how many events A queues before B starts (each goes to every one). */
  noisy: { behaviours: Behaviour[]; events: number } | null;
  /** Extra endpoints on B's own agent beside the healthy one. */
  bExtra: Behaviour[];
}

export async function runIsolationCase(
  databaseUrl: string,
  spec: Case,
  seconds: number,
  log: (message: string) => void,
): Promise<{ figures: LatencyFigures; drainPerSecond: number }> {
  const endpoints: Endpoint[] = [];
  const hookline = await startBenchHookline(databaseUrl);
  const api = new Api(hookline.url);
  try {
    await hookline.waitReady();
    let noisyAnswered = () => 0;
    if (spec.noisy) {
      const noisy = await Promise.all(spec.noisy.behaviours.map(startEndpoint));
      endpoints.push(...noisy);
      const a = await organization(
        api,
        'Noisy',
        noisy.map((e) => e.url),
      );
      await emitMany(a.emit, 'a', spec.noisy.events);
      noisyAnswered = () => noisy.reduce((sum, e) => sum + e.answered, 0);
      log(`  A queued ${spec.noisy.events * noisy.length} deliveries`);
    }
    const healthy = await startEndpoint('ok');
    const extra = await Promise.all(spec.bExtra.map(startEndpoint));
    endpoints.push(healthy, ...extra);
    const b = await organization(api, 'Healthy', [healthy.url, ...extra.map((e) => e.url)]);
    const answeredBefore = noisyAnswered();
    const started = performance.now();
    const figures = await measureB(b.emit, healthy, seconds);
    const drainPerSecond = round(
      ((noisyAnswered() - answeredBefore) * 1000) / (performance.now() - started),
      1,
    );
    return { figures, drainPerSecond };
  } finally {
    await api.close();
    await Promise.all(endpoints.map((e) => e.close()));
    await hookline.stop().catch(() => hookline.kill());
  }
}

export async function runIsolation(
  freshDatabase: () => Promise<{ url: string; drop(): Promise<void> }>,
  options: { seconds: number; queued: number; backlog: number; log: (message: string) => void },
): Promise<IsolationResults> {
  const { seconds, queued, backlog, log } = options;
  const run = async (name: string, spec: Case) => {
    log(`isolation: ${name}`);
    const database = await freshDatabase();
    try {
      const result = await runIsolationCase(database.url, spec, seconds, log);
      log(
        `  B p50 ${result.figures.p50Ms} ms, p95 ${result.figures.p95Ms} ms, p99 ${result.figures.p99Ms} ms` +
          ` (answered p50 ${result.figures.acknowledgedP50Ms}, p99 ${result.figures.acknowledgedP99Ms})` +
          (spec.noisy ? `; A answered ${result.drainPerSecond}/s` : ''),
      );
      return result;
    } finally {
      await database.drop();
    }
  };
  const baseline = (await run('baseline (B alone)', { noisy: null, bExtra: [] })).figures;
  const ratio = (figures: LatencyFigures) => round(figures.p99Ms / baseline.p99Ms, 2);
  const withRatio = (figures: LatencyFigures) => ({ ...figures, ratioP99: ratio(figures) });
  const hang = await run("A's endpoint hangs", {
    noisy: { behaviours: ['hang'], events: queued },
    bExtra: [],
  });
  const error500 = await run("A's endpoint answers 500 after 2 s", {
    noisy: { behaviours: ['error500'], events: queued },
    bExtra: [],
  });
  // Ten endpoints answering in 200 ms, each subscribed to every event: backlog / 10 events.
  const slow = await run('A has a backlog to slow endpoints', {
    noisy: { behaviours: Array(10).fill('slow200'), events: Math.round(backlog / 10) },
    bExtra: [],
  });
  const fanOut = await run("B's own events also go to a dead endpoint", {
    noisy: null,
    bExtra: ['hang'],
  });
  return {
    baseline,
    hang: withRatio(hang.figures),
    error500: withRatio(error500.figures),
    backlog: { ...withRatio(slow.figures), drainPerSecond: slow.drainPerSecond },
    fanOut: withRatio(fanOut.figures),
    settings: { seconds, ratePerSecond: RATE, queued, backlog },
  };
}
