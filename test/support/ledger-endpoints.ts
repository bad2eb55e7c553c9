import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Many webhook endpoints at once, each an HTTP server on a port of its own, that keep a ledger of
 * every request they got (which endpoint, which `webhook-id`, which event, what they answered)
 * and fail a share of requests with a 500 at random. For tests that reconcile what Hookline
 * logged with what the receiving side saw.
 */
export interface LedgerEntry {
  endpoint: number;
  webhookId: string;
  callId: string;
  status: number;
  receivedAt: number;
}

export interface LedgerEndpoints {
  urls: string[];
  entries: LedgerEntry[];
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32), so that a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startLedgerEndpoints(
  count: number,
  options: { failureRate: number; random: () => number },
): Promise<LedgerEndpoints> {
  const entries: LedgerEntry[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let endpoint = 0; endpoint < count; endpoint++) {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let callId = '';
      try {
        callId = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).data?.callId ?? '');
      } catch {
        // Recorded with an empty callId: the test then fails on the pair it cannot match.
      }
      const status = options.random() < options.failureRate ? 500 : 200;
      entries.push({
        endpoint,
        webhookId: String(req.headers['webhook-id'] ?? ''),
        callId,
        status,
        receivedAt: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end(status === 200 ? 'ok' : 'no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}/endpoint-${endpoint}`);
  }
  return {
    urls,
    entries,
    async close() {
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
    },
  };
}
