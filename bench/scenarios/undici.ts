import type { BenchReceiver } from '../receiver.ts';
import { createBenchClient, messageBody, sendSigned, withConcurrency } from '../signed-post.ts';
import type { RoundResult } from './types.ts';

/** U: the network alone. Signed POSTs straight to the receiver, with the worker's client. */
export async function runUndici(
  receiver: BenchReceiver,
  tag: string,
  count: number,
  concurrency: number,
): Promise<RoundResult> {
  const client = createBenchClient();
  const before = receiver.total();
  const started = performance.now();
  await withConcurrency(count, concurrency, (i) =>
    sendSigned(client, receiver.url, `${tag}_${i}`, messageBody(`${tag}_${i}`)),
  );
  const elapsed = performance.now() - started;
  await client.close();
  return { count, elapsedMs: elapsed, received: receiver.total() - before };
}
