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
  const waiting: Array<() => void> = [];
  const producer = (async () => {
    for (; produced < count; produced++) {
      queue.push(`${tag}_${produced}`);
      waiting.shift()?.();
      if (produced % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Done: every idle consumer must see it, not just one.
    for (const resume of waiting.splice(0)) resume();
  })();
  const consumers = Array.from({ length: concurrency }, async () => {
    for (;;) {
      const id = queue.shift();
      if (id !== undefined) {
        await sendSigned(client, receiver.url, id, messageBody(id));
        continue;
      }
      if (produced >= count) return;
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  });
  await producer;
  await Promise.all(consumers);
  const elapsed = performance.now() - started;
  await client.close();
  return { count, elapsedMs: elapsed, received: receiver.total() - before };
}
