import type { Kysely } from 'kysely';
import type { Job } from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { DeliveryClient } from '../delivery-client/index.ts';
import type { Notices } from '../pubsub/notices.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import { type DeliveryJobData, deliveryJob } from '../queue/jobs.ts';
import type { Queue } from '../queue/queue.ts';
import type { Logger } from '../shared/logger.ts';
import { USER_AGENT } from '../shared/version.ts';
import { activeSigningSecrets } from '../webhooks/webhooks.service.ts';
import { buildHeaders } from './build-headers.ts';
import { buildMessage } from './build-message.ts';
import { type DeliveryContext, loadDeliveryContexts } from './load-deliveries.ts';
import { recentAttemptsOf } from './recent-attempts.ts';
import { type JobClaim, recordSettlements, type Settlement } from './record-attempts.ts';
import { sign } from './sign.ts';

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  queue: Queue;
  notifier: Notifier;
  client: DeliveryClient;
  logger: Logger;
  /** Most attempts in flight at once in this process. */
  concurrency: number;
  scheduleSeconds: readonly number[];
  disableAfterSeconds: number;
  /** Backstop poll for retries coming due and for wake-ups missed while disconnected. */
  pollIntervalMs?: number;
  maxFetchBatch?: number;
  /** Told of each batch once committed (metrics, the attempt log); must not throw. */
  onSettled?: (settlements: readonly Settlement[], notices: Notices) => void;
}

export interface DeliveryWorker {
  start(): void;
  /** Stops fetching, lets attempts in flight finish for up to `timeoutMs`, then gives the rest back. */
  stop(timeoutMs?: number): Promise<void>;
  /** Attempts in flight right now. */
  inFlight(): number;
}

/**
 * The delivery loop. It fetches jobs whenever it has room and is woken (at commit of new work)
 * or polled, runs each job on its own (one slow endpoint holds one slot, not a batch), and
 * records results in group commits: whatever finished while the previous commit ran is written
 * by the next one, with the completion of its jobs, in one transaction.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, queue, notifier, client, logger } = options;
  const maxFetch = options.maxFetchBatch ?? 100;
  const shutdown = new AbortController();
  let running = 0;
  let fetching: Promise<void> | undefined;
  let wakeAgain = false;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const unsubscribers: Array<() => void> = [];
  const idleWaiters: Array<() => void> = [];

  // Group commit of settlements.
  let queued: Array<{ settlement: Settlement; done: () => void }> = [];
  let flushing: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        const settlements = batch.map((b) => b.settlement);
        const notices = await notifier.transaction(db, async (trx) => {
          const notices = await recordSettlements(trx, settlements, {
            queue,
            recentAttempts: recentAttemptsOf(notifier),
            scheduleSeconds: options.scheduleSeconds,
            disableAfterSeconds: options.disableAfterSeconds,
          });
          await notifier.publish(trx, notices);
          return notices;
        });
        options.onSettled?.(settlements, notices);
      } catch (error) {
        // The jobs stay active; when they expire pg-boss hands them out again (at least once).
        logger.error({ err: error, jobs: batch.length }, 'could not record delivery results');
      }
      for (const b of batch) b.done();
    }
  };

  const settle = (settlement: Settlement): Promise<void> =>
    new Promise((resolve) => {
      queued.push({ settlement, done: resolve });
      flushing ??= flush().finally(() => {
        flushing = undefined;
      });
    });

  const attempt = async (job: JobClaim, context: DeliveryContext): Promise<Settlement> => {
    const { delivery, event, webhook } = context;
    if (delivery.status !== 'PENDING') return { kind: 'skipped', job };
    if (!webhook.enabled || webhook.deletedAt) return { kind: 'cancelled', job, context };
    const startedAt = new Date();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const body = buildMessage(event);
    // The delivery id is the message id: stable across retries and redeliveries, so receivers
    // can drop duplicates.
    const signature = sign({
      secrets: activeSigningSecrets(webhook, startedAt),
      msgId: delivery.id,
      timestamp,
      body,
    });
    const headers = buildHeaders({
      msgId: delivery.id,
      timestamp,
      signature,
      userAgent: USER_AGENT,
    });
    const outcome = await client.send({ url: webhook.url, headers, body, signal: shutdown.signal });
    if (outcome.error?.kind === 'aborted' && shutdown.signal.aborted)
      return { kind: 'released', job, context };
    return {
      kind: 'attempted',
      job,
      context,
      result: { startedAt, requestHeaders: headers, outcome },
    };
  };

  const run = async (job: JobClaim, context: DeliveryContext | undefined): Promise<void> => {
    try {
      const settlement: Settlement = context
        ? await attempt(job, context)
        : { kind: 'skipped', job };
      await settle(settlement);
    } catch (error) {
      logger.error({ err: error, jobId: job.id }, 'delivery attempt failed unexpectedly');
    }
  };

  const onFinished = () => {
    running--;
    if (running === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    if (!stopped) void pump();
  };

  /** Fetches and starts what there is room for; true when there may be more waiting. */
  const fetchAndDispatch = async (): Promise<boolean> => {
    const room = options.concurrency - running;
    if (room <= 0) return false;
    const batchSize = Math.min(room, maxFetch);
    const jobs = (await queue.fetch<DeliveryJobData>(deliveryJob.name, {
      batchSize,
    })) as Job<DeliveryJobData>[];
    if (jobs.length === 0) return false;
    const ids: string[] = [];
    for (const job of jobs) {
      try {
        ids.push(deliveryJob.parse(job.data).deliveryId);
      } catch (error) {
        logger.error({ err: error, jobId: job.id }, 'malformed delivery job');
      }
    }
    const contexts = await loadDeliveryContexts(db, ids);
    for (const job of jobs) {
      running++;
      const deliveryId = (job.data as Partial<DeliveryJobData>).deliveryId;
      void run(
        { id: job.id, retryCount: job.retryCount },
        deliveryId ? contexts.get(deliveryId) : undefined,
      ).finally(onFinished);
    }
    // A short batch emptied the queue: fetching again at once would find nothing (and cost a
    // round trip per wake-up). Jobs queued meanwhile come with a wake-up of their own.
    return jobs.length === batchSize;
  };

  const fetchUntilFullOrEmpty = async (): Promise<void> => {
    try {
      do {
        wakeAgain = false;
        while (!stopped && (await fetchAndDispatch())) {}
      } while (wakeAgain && !stopped);
    } catch (error) {
      logger.warn({ err: error }, 'fetching delivery jobs failed; will retry');
    }
  };

  const pump = async (): Promise<void> => {
    if (stopped) return;
    if (fetching) {
      wakeAgain = true;
      return;
    }
    fetching = fetchUntilFullOrEmpty().finally(() => {
      fetching = undefined;
    });
    await fetching;
  };

  return {
    start() {
      unsubscribers.push(
        notifier.listen((notices) => {
          if (notices.wake) void pump();
        }),
        notifier.onReconnect(() => void pump()),
      );
      pollTimer = setInterval(() => void pump(), options.pollIntervalMs ?? 1_000);
      void pump();
    },
    async stop(timeoutMs = 10_000) {
      stopped = true;
      clearInterval(pollTimer);
      for (const unsubscribe of unsubscribers) unsubscribe();
      await fetching;
      if (running > 0) {
        const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
        const timer = setTimeout(() => shutdown.abort(), timeoutMs);
        await idle;
        clearTimeout(timer);
      }
      await flushing;
    },
    inFlight: () => running,
  };
}
