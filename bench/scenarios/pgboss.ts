import { PgBoss } from 'pg-boss';
import { withConcurrency } from '../signed-post.ts';
import type { RoundResult } from './types.ts';

const QUEUE = 'bench-raw';

/**
 * Q: the queue alone. pg-boss on the same database, `send` one job per request (as emitEvent
 * queues per event) and `work` with a handler that does nothing, woken by LISTEN/NOTIFY and
 * fetching in batches like Hookline's worker.
 */
export interface RawQueue {
  run(tag: string, count: number, concurrency: number): Promise<RoundResult>;
  stop(): Promise<void>;
}

export async function startRawQueue(connectionString: string): Promise<RawQueue> {
  const boss = new PgBoss({
    connectionString,
    schema: 'bench_pgboss',
    max: 10,
    useListenNotify: true,
  });
  boss.on('error', (error) => console.error('pg-boss (Q):', error));
  await boss.start();
  await boss.createQueue(QUEUE, { notify: true, deleteAfterSeconds: 60 });
  let done = 0;
  await boss.work(
    QUEUE,
    {
      batchSize: 64,
      pollingIntervalSeconds: 0.5,
      notifyPollingIntervalSeconds: 0.5,
      localConcurrency: 2,
    },
    async (jobs) => {
      done += jobs.length;
    },
  );
  return {
    async run(tag, count, concurrency) {
      const target = done + count;
      const started = performance.now();
      await withConcurrency(count, concurrency, async (i) => {
        await boss.send(QUEUE, { id: `${tag}_${i}` });
      });
      while (done < target) await new Promise((resolve) => setTimeout(resolve, 2));
      return { count, elapsedMs: performance.now() - started, received: count - (target - done) };
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 5_000 });
    },
  };
}
