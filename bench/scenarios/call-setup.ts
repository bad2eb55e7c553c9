import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Answer,
  Api,
  attachNewWebhook,
  createAgent,
  createOrganization,
  preConversation,
} from '../api.ts';
import { percentile, round } from '../stats.ts';
import {
  type Endpoint,
  emitMany,
  organization,
  startBenchHookline,
  startEndpoint,
} from './isolation.ts';

/**
 * Call setups on one fresh Hookline (one `all` process, default settings): what Hookline adds to
 * the responder's own time, at a fixed rate against a responder that answers after a known
 * delay (overhead: the mutation's answer time, as the platform sees it, minus the time the
 * responder itself took for that request); the answer time when the responder hangs (the
 * deadline holding); and the overhead again while the isolation scenario's noisy neighbour
 * (another organization's endpoint that hangs, with thousands of deliveries queued) runs.
 */
export interface CallSetupResults {
  ratePerSecond: number;
  overheadMs: { p50: number; p99: number };
  hanging: { deadlineMs: number; answerMsP99: number };
  underNoisyNeighbour: { overheadMsP99: number };
}

export interface CallSetupOptions {
  seconds: number;
  log: (message: string) => void;
  ratePerSecond?: number;
  /** The responder's own time per answer. */
  responderMs?: number;
  hangingDeadlineMs?: number;
  /** Deliveries the noisy neighbour queues to its hanging endpoint. */
  queued?: number;
}

const CALL_SETUP = `mutation ($input: RequestCallSetupInput!) {
  requestCallSetup(input: $input) { setup { outcome reason } }
}`;

/** A responder that answers each call setup after `delayMs`, and notes how long it took. */
async function startResponder(delayMs: number) {
  const ownMs = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrived = performance.now();
      const callId = JSON.parse(Buffer.concat(chunks).toString('utf8')).data.callId as string;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"variables":{"callId":${JSON.stringify(callId)},"tier":"gold"}}`);
        ownMs.set(callId, performance.now() - arrived);
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/setup`,
    ownMs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An organization whose agents each answer call setups through the given endpoint. */
async function responders(api: Api, name: string, urls: readonly string[]) {
  const apiKey = await createOrganization(api, name);
  const agentIds: string[] = [];
  for (const url of urls) {
    const agentId = await createAgent(api, apiKey, {
      name: 'Agent',
      callSetupFallback: { tier: 'standard' },
    });
    await attachNewWebhook(api, apiKey, agentId, url, { respondsToCallSetup: true });
    agentIds.push(agentId);
  }
  const setup = (agentId: string, callId: string, deadlineMs?: number): Promise<Answer> =>
    api.graphql(apiKey, CALL_SETUP, {
      input: {
        agentId,
        deadlineMs,
        payload: preConversation(callId),
      },
    });
  return { agentIds, setup };
}

/**
 * Requests call setups at `rate` a second for `seconds`, open loop; each one's answer time from
 * its scheduled moment (so a late timer counts against Hookline), by call id.
 */
async function openLoop(
  rate: number,
  seconds: number,
  request: (i: number, callId: string) => Promise<Answer>,
  tag: string,
): Promise<Map<string, { ms: number; outcome: string }>> {
  const answered = new Map<string, { ms: number; outcome: string }>();
  const total = Math.round(rate * seconds);
  const start = performance.now() + 50;
  const sent: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const callId = `${tag}_${i}`;
    sent.push(
      request(i, callId).then((data) => {
        answered.set(callId, {
          ms: performance.now() - due,
          outcome: data.requestCallSetup.setup.outcome,
        });
      }),
    );
  }
  await Promise.all(sent);
  return answered;
}

/** Hookline's own part of each answered setup: its answer time less the responder's. */
function overheads(
  answered: ReadonlyMap<string, { ms: number; outcome: string }>,
  ownMs: ReadonlyMap<string, number>,
): number[] {
  const values: number[] = [];
  for (const [callId, { ms, outcome }] of answered) {
    const own = ownMs.get(callId);
    // A fallback has no responder time to subtract: it counts as all overhead.
    values.push(outcome === 'ANSWERED' && own !== undefined ? ms - own : ms);
  }
  return values.sort((a, b) => a - b);
}

export async function runCallSetup(
  freshDatabase: () => Promise<{ url: string; drop(): Promise<void> }>,
  options: CallSetupOptions,
): Promise<CallSetupResults> {
  const { seconds, log } = options;
  const rate = options.ratePerSecond ?? 100;
  const responderMs = options.responderMs ?? 20;
  const deadlineMs = options.hangingDeadlineMs ?? 1_000;
  const queued = options.queued ?? 2_000;
  const database = await freshDatabase();
  const hookline = await startBenchHookline(database.url);
  const api = new Api(hookline.url);
  const responder = await startResponder(responderMs);
  const endpoints: Endpoint[] = [];
  try {
    await hookline.waitReady();
    const b = await responders(api, 'Setups', [responder.url]);
    const agentId = b.agentIds[0]!;
    await openLoop(20, 1, (_i, callId) => b.setup(agentId, callId), 'warm');

    log(
      `call setup: ${rate}/s for ${seconds} s against a responder answering in ${responderMs} ms`,
    );
    const alone = overheads(
      await openLoop(rate, seconds, (_i, callId) => b.setup(agentId, callId), 'alone'),
      responder.ownMs,
    );
    const overheadMs = { p50: round(percentile(alone, 50)), p99: round(percentile(alone, 99)) };
    log(`  overhead p50 ${overheadMs.p50} ms, p99 ${overheadMs.p99} ms`);

    // A hanging responder's failures count toward its circuit (5 in a row open it), so each of
    // these agents' responders is asked 4 times at most.
    const hangRate = 10;
    const hangTotal = Math.max(20, Math.round(hangRate * Math.min(seconds, 10)));
    const hangingEndpoints = await Promise.all(
      Array.from({ length: Math.ceil(hangTotal / 4) }, () => startEndpoint('hang')),
    );
    endpoints.push(...hangingEndpoints);
    const hung = await responders(
      api,
      'Hangs',
      hangingEndpoints.map((e) => e.url),
    );
    log(`call setup: responders that hang, deadline ${deadlineMs} ms`);
    const hangAnswers = [
      ...(
        await openLoop(
          hangRate,
          hangTotal / hangRate,
          (i, callId) => hung.setup(hung.agentIds[i % hung.agentIds.length]!, callId, deadlineMs),
          'hang',
        )
      ).values(),
    ];
    const answerMs = hangAnswers.map((a) => a.ms).sort((x, y) => x - y);
    const hanging = { deadlineMs, answerMsP99: round(percentile(answerMs, 99)) };
    const late = hangAnswers.filter((a) => a.outcome !== 'FALLBACK').length;
    log(`  answered p99 ${hanging.answerMsP99} ms${late ? ` (${late} not FALLBACK)` : ''}`);

    log(`call setup: again, while another organization's endpoint hangs with ${queued} queued`);
    const noisy = await startEndpoint('hang');
    endpoints.push(noisy);
    const a = await organization(api, 'Noisy', [noisy.url]);
    await emitMany(a.emit, 'a', queued);
    const withNeighbour = overheads(
      await openLoop(rate, seconds, (_i, callId) => b.setup(agentId, callId), 'noisy'),
      responder.ownMs,
    );
    const underNoisyNeighbour = { overheadMsP99: round(percentile(withNeighbour, 99)) };
    log(`  overhead p99 ${underNoisyNeighbour.overheadMsP99} ms`);
    return { ratePerSecond: rate, overheadMs, hanging, underNoisyNeighbour };
  } finally {
    await api.close();
    await responder.close();
    await Promise.all(endpoints.map((e) => e.close()));
    await hookline.stop().catch(() => hookline.kill());
    await database.drop();
  }
}
