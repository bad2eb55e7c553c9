import type { BenchReceiver } from '../receiver.ts';
import { createBenchClient, messageBody, sendSigned } from '../signed-post.ts';
import type { RoundResult } from './types.ts';

/**
 * N: a naive peer. An in-memory array as the queue, the same signing and sending code, nothing
 * persisted: what a webhook sender that can lose everything on a crash achieves.
 */
export async function runNaive(
  receiver: BenchReceiver,
  tag: string,
  count: number,
  concurrency: number,
): Promise<RoundResult> {
  const client = createBenchClient();
  const queue: string[] = [];
  const before = receiver.total();
  const started = performance.now();
  let produced = 0;
  let wake: (() => void) | undefined;
  const producer = (async () => {
    for (; produced < count; produced++) {
      queue.push(`${tag}_${produced}`);
      wake?.();
      if (produced % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    wake?.();
  })();
  const consumers = Array.from({ length: concurrency }, async () => {
    for (;;) {
      const id = queue.shift();
      if (id !== undefined) {
        await sendSigned(client, receiver.url, id, messageBody(id));
        continue;
      }
      if (produced >= count) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  });
  await producer;
  await Promise.all(consumers);
  const elapsed = performance.now() - started;
  await client.close();
  return { count, elapsedMs: elapsed, received: receiver.total() - before };
}
