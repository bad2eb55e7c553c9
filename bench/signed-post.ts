import { buildHeaders } from '../src/deliveries/pipeline/build-headers.ts';
import { sign } from '../src/deliveries/pipeline/sign.ts';
import {
  createAddressPolicy,
  createDeliveryClient,
  type DeliveryClient,
} from '../src/delivery-client/index.ts';
import { USER_AGENT } from '../src/shared/version.ts';

/**
 * The exact signing and sending code Hookline's worker uses, with its connection settings: the
 * U (network alone) and N (naive queue) scenarios call this, so they differ from P only in
 * what surrounds it.
 */
export function createBenchClient(): DeliveryClient {
  return createDeliveryClient({
    connectTimeoutMs: 5_000,
    totalTimeoutMs: 15_000,
    maxResponseBytes: 64 * 1024,
    addressPolicy: createAddressPolicy(['127.0.0.0/8']),
  });
}

export const BENCH_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export async function sendSigned(
  client: DeliveryClient,
  url: string,
  id: string,
  body: string,
): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = sign({ secrets: [BENCH_SECRET], msgId: id, timestamp, body });
  const outcome = await client.send({
    url,
    body,
    headers: buildHeaders({ msgId: id, timestamp, signature, userAgent: USER_AGENT }),
  });
  if (!outcome.ok) throw new Error(`send failed: ${outcome.status} ${outcome.error?.message}`);
}

export function messageBody(callId: string): string {
  return JSON.stringify({
    type: 'pre-conversation',
    timestamp: new Date().toISOString(),
    data: { agentId: 'agt_bench', callId, callerPhoneNumber: '+14155550123', direction: 'inbound' },
  });
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function withConcurrency(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(lanes);
}
