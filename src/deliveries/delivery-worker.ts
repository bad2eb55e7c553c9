import { setTimeout as sleep } from 'node:timers/promises';
import type { Tracer } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Db as BossDb } from 'pg-boss';
import type { CircuitSettings, EndpointSettings } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryClient } from '../delivery-client/index.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import type { Queue } from '../queue/queue.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { Logger } from '../shared/logger.ts';
import { tracingOff } from '../telemetry/tracing.ts';
import type { ListenerRelay } from '../webhooks/listener-relay.ts';
import { effectiveTimeoutMs } from '../webhooks/webhook.ts';
import { sweepWaitingDeliveries } from './admission-sweep.ts';
import { startDueProbes } from './circuit-probes.ts';
import type { FanOut } from './fan-out/fan-out.ts';
import { makeAttempt } from './pipeline/attempt.ts';
import { type FetchedJob, fetchDeliveryJobs } from './pipeline/fetch-jobs.ts';
import { type GateDecision, gate } from './pipeline/gate.ts';
import { type DeliveryContext, loadDeliveryContexts } from './pipeline/load-contexts.ts';
import {
  type CircuitChange,
  type RecordResult,
  recordSettlements,
} from './pipeline/record/record-settlements.ts';
import { reserveSendSlots } from './pipeline/reserve-slots.ts';
import type { JobClaim, Settlement } from './pipeline/settlement.ts';
import { JOB_PRIORITY, reservedForQuiet } from './policies/fair-share.ts';
import type { RecentAttempts } from './recent-attempts.ts';

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  transactions: Transactions;
  queue: Queue;
  notifier: Notifier;
  fanOut: FanOut;
  client: DeliveryClient;
  /** Where LISTENER webhooks' attempts go (webhooks/listener-relay.ts). */
  listeners: ListenerRelay;
  /** Opens the sealed signing secrets and headers each attempt needs. */
  keyring: Keyring;
  logger: Logger;
  /** Most jobs in hand at once in this process (attempts in flight, and waits for a slot). */
  concurrency: number;
  scheduleSeconds: readonly number[];
  disableAfterSeconds: number;
  requestTimeoutMs: number;
  endpoints: EndpointSettings;
  circuit: CircuitSettings;
  recentAttempts?: RecentAttempts;
  /** Makes a span of each attempt (pipeline/attempt-span.ts); none: spans that record nothing. */
  tracer?: Tracer;
  /** Where fetches run: queue/serialized-fetch.ts when other processes may fetch too. */
  fetchDb?: BossDb;
  /** Backstop poll for retries coming due, wake-ups missed while disconnected, circuit probes. */
  pollIntervalMs?: number;
  maxFetchBatch?: number;
  /** Told of each batch once committed (metrics, the attempt log); must not throw. */
  onSettled?: (settlements: readonly Settlement[], recorded: RecordResult) => void;
  /** Told of circuits that moved, by attempts or by probes; must not throw. */
  onCircuitChanges?: (changes: readonly CircuitChange[]) => void;
}

export interface DeliveryWorker {
  start(): void;
  /** Stops fetching, lets attempts in flight finish for up to `timeoutMs`, then gives the rest back. */
  stop(timeoutMs?: number): Promise<void>;
  /** Jobs in hand right now. */
  inFlight(): number;
}

interface Dispatch {
  job: JobClaim;
  context: DeliveryContext | undefined;
  decision: GateDecision;
}

/**
 * The delivery loop: fetch → load → gate → attempt (build, sign, send) → decide → record. It
 * fetches whenever it has room and is woken (at commit of new work) or polled, runs each job on
 * its own (one slow endpoint holds one slot, not a batch), and records results in group commits:
 * whatever finished while the previous commit ran is written by the next one, with the
 * completion of its jobs, in one transaction.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, transactions, queue, notifier, client, logger } = options;
  const maxFetch = options.maxFetchBatch ?? 100;
  const reserved = reservedForQuiet(options.concurrency);
  const tracer = options.tracer ?? tracingOff().tracer;
  const shutdown = new AbortController();
  let running = 0;
  let fetching: Promise<void> | undefined;
  let tending: Promise<void> | undefined;
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
        const recorded = await transactions((trx, outbox) =>
          recordSettlements(trx, outbox, settlements, {
            queue,
            fanOut: options.fanOut,
            recentAttempts: options.recentAttempts,
            scheduleSeconds: options.scheduleSeconds,
            disableAfterSeconds: options.disableAfterSeconds,
            circuit: options.circuit,
            endpoints: options.endpoints,
          }),
        );
        options.onSettled?.(settlements, recorded);
        if (recorded.circuits.length > 0) options.onCircuitChanges?.(recorded.circuits);
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

  /** Waits for a rate-limit slot, then attempts; a shutdown meanwhile hands the job back. */
  const attempt = async (
    job: JobClaim,
    context: DeliveryContext,
    decision: Extract<GateDecision, { kind: 'attempt' }>,
  ): Promise<Settlement> => {
    if (decision.at) {
      const waitMs = decision.at.getTime() - Date.now();
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: shutdown.signal }).catch(() => {});
      if (shutdown.signal.aborted) return { kind: 'released', job, context };
    }
    const result = await makeAttempt(context, {
      client,
      keyring: options.keyring,
      timeoutMs: effectiveTimeoutMs(context.webhook, options.requestTimeoutMs),
      probe: decision.probe,
      signal: shutdown.signal,
      tracer,
      listeners: options.listeners,
    });
    if (result.outcome.error?.kind === 'aborted' && shutdown.signal.aborted)
      return { kind: 'released', job, context };
    return { kind: 'attempted', job, context, result };
  };

  const settlementOf = async ({ job, context, decision }: Dispatch): Promise<Settlement> => {
    if (!context || decision.kind === 'skip') return { kind: 'skipped', job };
    switch (decision.kind) {
      // Not reached (gateAll gives each a slot); should it be, the job goes back to the queue.
      case 'needs-slot':
        return { kind: 'released', job, context };
      case 'cancel':
        return { kind: 'cancelled', job, context };
      case 'hold':
        return { kind: 'held', job, context };
      case 'defer':
        return { kind: 'deferred', job, context, slotAt: decision.slotAt };
      case 'attempt':
        return attempt(job, context, decision);
    }
  };

  const run = async (dispatch: Dispatch): Promise<void> => {
    try {
      await settle(await settlementOf(dispatch));
    } catch (error) {
      logger.error({ err: error, jobId: dispatch.job.id }, 'delivery attempt failed unexpectedly');
    }
  };

  const onFinished = () => {
    running--;
    if (running === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    if (!stopped) void pump();
  };

  /** Gates each fetched job; jobs of rate-limited endpoints take their send slots first. */
  const gateAll = async (
    jobs: readonly FetchedJob[],
    contexts: ReadonlyMap<string, DeliveryContext>,
  ): Promise<Dispatch[]> => {
    const now = new Date();
    const dispatches = jobs.map((job): Dispatch => {
      const context = job.data ? contexts.get(job.data.deliveryId) : undefined;
      const slotAt = job.data?.slotAt ? new Date(job.data.slotAt) : null;
      return { job: job.claim, context, decision: gate(context, slotAt, now) };
    });
    const needing = dispatches.filter((d) => d.decision.kind === 'needs-slot');
    if (needing.length === 0) return dispatches;
    const counts = new Map<string, { ratePerSecond: number; count: number }>();
    for (const { context } of needing) {
      const { id, rateLimitPerSecond } = context!.webhook;
      const entry = counts.get(id) ?? { ratePerSecond: rateLimitPerSecond!, count: 0 };
      entry.count++;
      counts.set(id, entry);
    }
    const slots = await reserveSendSlots(
      db,
      [...counts].map(([webhookId, entry]) => ({ webhookId, ...entry })),
    );
    for (const dispatch of needing) {
      const slot = slots.get(dispatch.context!.webhook.id)?.shift() ?? null;
      if (slot) dispatch.decision = gate(dispatch.context, slot, now);
    }
    return dispatches;
  };

  /**
   * Fetches and starts what there is room for; true when there may be more waiting. The
   * reserved slots take only quiet organizations' first attempts (policies/fair-share.ts).
   */
  const fetchAndDispatch = async (): Promise<boolean> => {
    const room = options.concurrency - running;
    if (room <= 0) return false;
    const generalRoom = room - reserved;
    const batchSize = Math.min(generalRoom > 0 ? generalRoom : room, maxFetch);
    const jobs = await fetchDeliveryJobs(queue, batchSize, {
      endpoints: options.endpoints,
      db: options.fetchDb,
      minPriority: generalRoom > 0 ? undefined : JOB_PRIORITY.quiet,
      logger,
    });
    if (jobs.length === 0) return false;
    const ids = jobs.flatMap((job) => (job.data ? [job.data.deliveryId] : []));
    running += jobs.length;
    let dispatches: Dispatch[];
    try {
      dispatches = await gateAll(jobs, await loadDeliveryContexts(db, ids));
    } catch (error) {
      running -= jobs.length;
      throw error;
    }
    for (const dispatch of dispatches) void run(dispatch).finally(onFinished);
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

  /** Every poll: circuits due a probe, and deliveries waiting for room their endpoint has. */
  const tend = (): void => {
    if (stopped || tending) return;
    const { fanOut } = options;
    tending = Promise.all([
      startDueProbes({
        transactions,
        fanOut,
        endpoints: options.endpoints,
        requestTimeoutMs: options.requestTimeoutMs,
      })
        .then((changes) => {
          if (changes.length > 0) options.onCircuitChanges?.(changes);
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'starting circuit probes failed')),
      sweepWaitingDeliveries({ db, transactions, fanOut }).catch((error: unknown) =>
        logger.warn({ err: error }, 'admitting waiting deliveries failed'),
      ),
    ])
      .then(() => undefined)
      .finally(() => {
        tending = undefined;
      });
  };

  return {
    start() {
      unsubscribers.push(
        notifier.listen((notices) => {
          if (notices.wake) void pump();
        }),
        notifier.onReconnect(() => void pump()),
      );
      pollTimer = setInterval(() => {
        tend();
        void pump();
      }, options.pollIntervalMs ?? 1_000);
      void pump();
    },
    async stop(timeoutMs = 10_000) {
      stopped = true;
      clearInterval(pollTimer);
      for (const unsubscribe of unsubscribers) unsubscribe();
      await fetching;
      await tending;
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
