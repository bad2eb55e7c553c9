import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The receiving end of every scenario: bare node:http answering 200, keeping a ledger of what
 * arrived (by webhook-id) and when, so a run can prove that emitted = received.
 */
export interface BenchReceiver {
  url: string;
  /** Arrivals per message id; more than one is a duplicate delivery. */
  arrivals: Map<string, number>;
  /** Called for each request with its id, the callId in the body (if any) and the arrival time. */
  onArrival: ((id: string, callId: string | undefined, at: number) => void) | undefined;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  let total = 0;
  const receiver: BenchReceiver = {
    url: '',
    arrivals: new Map(),
    onArrival: undefined,
    total: () => total,
    reset() {
      receiver.arrivals.clear();
      total = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const id = String(req.headers['webhook-id'] ?? '');
      total++;
      receiver.arrivals.set(id, (receiver.arrivals.get(id) ?? 0) + 1);
      if (receiver.onArrival) {
        let callId: string | undefined;
        try {
          callId = JSON.parse(Buffer.concat(chunks).toString('utf8')).data?.callId;
        } catch {}
        receiver.onArrival(id, callId, at);
      }
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** Resolves when `count()` reaches `target`; rejects after `timeoutMs`. */
export async function waitUntil(
  count: () => number,
  target: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (count() < target) {
    if (performance.now() > deadline) throw new Error(`timed out at ${count()} of ${target}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now();
}
