import type { Transaction } from 'kysely';
import type { CircuitSettings, EndpointSettings } from '../../../config/config.ts';
import type { Database } from '../../../db/database.ts';
import type { DeliveryNotice, Notices } from '../../../pubsub/notices.ts';
import type { NoticeOutbox } from '../../../pubsub/transactions.ts';
import type { Queue } from '../../../queue/queue.ts';
import { effectiveConcurrency } from '../../../webhooks/webhook.ts';
import type { DeliveryStatus } from '../../deliveries.table.ts';
import type { DeliveryAttempt } from '../../delivery-attempt.ts';
import type { FanOut } from '../../fan-out/fan-out.ts';
import {
  deliveryExhausted,
  endpointHealthEvents,
  type OperationalEvent,
  raiseOperationalEvents,
} from '../../operational-events.ts';
import type { CircuitTransition } from '../../policies/circuit-breaker.ts';
import { JOB_PRIORITY } from '../../policies/fair-share.ts';
import type { RecentAttempts } from '../../recent-attempts.ts';
import { decideNext, type NextStep } from '../decide-next.ts';
import type { DeliveryContext } from '../load-contexts.ts';
import type { Attempted, Settlement } from '../settlement.ts';
import { advanceDeliveries, releaseHeld, settleUnattempted } from './advance-deliveries.ts';
import { finishJobs } from './finish-jobs.ts';
import { insertAttemptsAndResetHealthy, toAttemptRecord } from './insert-attempts.ts';
import { lockEndpointsIfChanging } from './lock-endpoints.ts';
import { type FailureEffects, recordFailures } from './record-failures.ts';

/** A circuit that moved in this batch: for the log, and later for operational webhooks. */
export interface CircuitChange {
  webhookId: string;
  organizationId: string;
  transition: CircuitTransition;
}

export interface RecordResult {
  notices: Notices;
  circuits: CircuitChange[];
}

export interface RecordOptions {
  queue: Queue;
  fanOut: FanOut;
  scheduleSeconds: readonly number[];
  disableAfterSeconds: number;
  circuit: CircuitSettings;
  endpoints: EndpointSettings;
  now?: () => Date;
  /** Where this process's live feeds find the attempts without reading them back. */
  recentAttempts?: RecentAttempts;
}

/**
 * Writes a batch of settlements in the caller's transaction. One commit covers the whole batch,
 * so a crash loses either all of it (the jobs run again) or none. In order:
 *   lock the endpoints if their health changes → log the attempts (and reset the endpoints that
 *   answered) → count the failures of the others (circuit, failure streak, auto-disable) → move
 *   each delivery to its next step → hold or cancel what was not attempted → release what closed
 *   circuits held and admit waiting deliveries into freed room → queue retries and deferrals →
 *   close the fetched jobs.
 * Its notices go out with the commit (the outbox); they are returned too, with the circuits
 * that moved, for the attempt log and metrics.
 */
export async function recordSettlements(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  settlements: readonly Settlement[],
  options: RecordOptions,
): Promise<RecordResult> {
  const now = options.now?.() ?? new Date();
  const notices = new NoticeList();
  const attempted = settlements.filter((s): s is Attempted => s.kind === 'attempted');

  await lockEndpointsIfChanging(
    trx,
    attempted.map((s) => ({ webhook: s.context.webhook, ok: s.result.outcome.ok })),
  );
  const records = attempted.map(toAttemptRecord);
  const healthy = webhooksThatAnswered(attempted);
  const { inserted, closed } = await insertAttemptsAndResetHealthy(
    trx,
    records,
    healthy,
    options.recentAttempts,
  );
  records.forEach((record, i) => {
    if (inserted.has(record.id)) notices.attempt(record, attempted[i]!.context);
  });
  const failures = await recordFailures(trx, webhooksThatOnlyFailed(attempted, healthy), now, {
    circuit: options.circuit,
    disableAfterSeconds: options.disableAfterSeconds,
  });
  for (const c of failures.cancelled) notices.delivery(c, 'CANCELLED');

  const steps = attempted.map((s) => ({
    settlement: s,
    step: decideNext({
      outcome: s.result.outcome,
      seriesAttemptNumber: s.context.delivery.seriesAttemptCount + 1,
      scheduleSeconds: options.scheduleSeconds,
      probe: s.result.probe,
      now,
    }),
  }));
  const advanced = await advanceDeliveries(
    trx,
    steps.map(({ settlement, step }) => ({
      id: settlement.context.delivery.id,
      startedAt: settlement.result.startedAt,
      step,
    })),
    now,
  );
  const retries = [];
  for (const { settlement, step } of steps) {
    const { delivery, webhook } = settlement.context;
    // Cancelled or disabled meanwhile: the attempt is logged, but nothing follows it.
    if (!advanced.has(delivery.id)) continue;
    notices.delivery(settlement.context, step.status);
    if (step.status === 'PENDING' && step.nextAttemptAt) {
      retries.push({
        deliveryId: delivery.id,
        organizationId: delivery.organizationId,
        webhookId: webhook.id,
        concurrency: effectiveConcurrency(webhook, options.endpoints),
        priority: JOB_PRIORITY.retry,
        startAfter: step.nextAttemptAt,
      });
    }
  }

  const held = settlements.filter((s) => s.kind === 'held');
  for (const id of await settleUnattempted(trx, held.map(deliveryIdOf), 'HELD', now)) {
    notices.delivery(contextOf(held, id), 'HELD');
  }
  const cancelled = settlements.filter((s) => s.kind === 'cancelled');
  for (const id of await settleUnattempted(trx, cancelled.map(deliveryIdOf), 'CANCELLED', now)) {
    notices.delivery(contextOf(cancelled, id), 'CANCELLED');
  }

  for (const released of await releaseHeld(trx, closed, now)) {
    notices.delivery(released, 'PENDING');
  }
  await raiseOperationalEvents(
    trx,
    outbox,
    options.fanOut,
    operationalEventsOf({ attempted, records, steps, advanced, closed, failures, now }),
  );
  await options.fanOut.admit(trx, outbox, [
    ...closed,
    ...failures.opened,
    ...webhooksWithRoomFreed(settlements),
  ]);

  const deferred = settlements.filter((s) => s.kind === 'deferred');
  await options.fanOut.enqueue(trx, [
    ...retries,
    ...deferred.map((s) => ({
      deliveryId: s.context.delivery.id,
      organizationId: s.context.delivery.organizationId,
      webhookId: s.context.webhook.id,
      concurrency: effectiveConcurrency(s.context.webhook, options.endpoints),
      priority: JOB_PRIORITY.busy,
      startAfter: s.slotAt,
      slotAt: s.slotAt,
    })),
  ]);
  await finishJobs(options.queue, trx, {
    finished: settlements.filter((s) => s.kind !== 'released').map((s) => s.job),
    released: settlements.filter((s) => s.kind === 'released').map((s) => s.job),
  });
  const organizationOf = new Map(
    attempted.map((s) => [s.context.webhook.id, s.context.webhook.organizationId]),
  );
  const recorded = notices.toNotices();
  outbox.notify(recorded);
  return {
    notices: recorded,
    circuits: [
      ...closed.map((webhookId) => ({
        webhookId,
        organizationId: organizationOf.get(webhookId)!,
        transition: 'closed' as const,
      })),
      ...failures.transitions.map(({ circuit: _, ...change }) => change),
    ],
  };
}

/**
 * What this batch tells operational endpoints (operational-events.ts): deliveries that ended
 * FAILED, circuits that opened or closed, endpoints disabled for failing too long.
 */
function operationalEventsOf(batch: {
  attempted: readonly Attempted[];
  records: readonly DeliveryAttempt[];
  steps: readonly { settlement: Attempted; step: NextStep }[];
  advanced: ReadonlySet<string>;
  closed: readonly string[];
  failures: FailureEffects;
  now: Date;
}): OperationalEvent[] {
  const { attempted, records, now } = batch;
  const webhooks = new Map(attempted.map((s) => [s.context.webhook.id, s.context.webhook]));
  const lastError = new Map<string, string | null>();
  attempted.forEach((s, i) => {
    if (!s.result.outcome.ok) lastError.set(s.context.webhook.id, records[i]!.error);
  });
  const events: OperationalEvent[] = [];
  batch.steps.forEach(({ settlement, step }, i) => {
    const { delivery, event, webhook } = settlement.context;
    if (step.status !== 'FAILED' || !batch.advanced.has(delivery.id)) return;
    events.push(
      deliveryExhausted(
        webhook,
        {
          id: delivery.id,
          eventId: event.id,
          eventType: event.type,
          attempts: delivery.attemptCount + 1,
        },
        { error: records[i]!.error, startedAt: settlement.result.startedAt },
        now,
      ),
    );
  });
  events.push(
    ...endpointHealthEvents({
      webhooks,
      lastError,
      failures: batch.failures,
      closed: batch.closed,
      now,
    }),
  );
  return events;
}

/** Endpoints that answered within this batch: any failure streak of theirs is over. */
function webhooksThatAnswered(attempted: readonly Attempted[]): string[] {
  const ids = new Set<string>();
  for (const s of attempted) if (s.result.outcome.ok) ids.add(s.context.webhook.id);
  return [...ids].sort();
}

function webhooksThatOnlyFailed(
  attempted: readonly Attempted[],
  healthy: readonly string[],
): Map<string, Attempted[]> {
  const answered = new Set(healthy);
  const failing = new Map<string, Attempted[]>();
  for (const s of attempted) {
    const id = s.context.webhook.id;
    if (answered.has(id)) continue;
    failing.set(id, [...(failing.get(id) ?? []), s]);
  }
  return failing;
}

/**
 * Endpoints where an admitted delivery just left the admitted set (attempted, held, cancelled)
 * while others wait for room.
 */
function webhooksWithRoomFreed(settlements: readonly Settlement[]): string[] {
  const ids = new Set<string>();
  for (const s of settlements) {
    if (s.kind === 'skipped' || s.kind === 'released' || s.kind === 'deferred') continue;
    if (s.context.webhookHasWaiting) ids.add(s.context.webhook.id);
  }
  return [...ids];
}

type WithContext = Extract<Settlement, { context: DeliveryContext }>;

const deliveryIdOf = (s: WithContext) => s.context.delivery.id;

function contextOf(settlements: readonly WithContext[], deliveryId: string): DeliveryContext {
  return settlements.find((s) => s.context.delivery.id === deliveryId)!.context;
}

/** The notices of one batch, gathered as its steps run. */
class NoticeList {
  readonly #deliveries: DeliveryNotice[] = [];
  readonly #attempts: NonNullable<Notices['attempts']> = [];

  delivery(
    target:
      | DeliveryContext
      | { id: string; organizationId: string; webhookId: string }
      | { deliveryId: string; organizationId: string; webhookId: string },
    status: DeliveryStatus,
  ): void {
    if ('delivery' in target) {
      this.#deliveries.push({
        organizationId: target.delivery.organizationId,
        deliveryId: target.delivery.id,
        webhookId: target.webhook.id,
        status,
      });
      return;
    }
    this.#deliveries.push({
      organizationId: target.organizationId,
      deliveryId: 'deliveryId' in target ? target.deliveryId : target.id,
      webhookId: target.webhookId,
      status,
    });
  }

  attempt(
    record: { id: string; organizationId: string; deliveryId: string; webhookId: string },
    context: DeliveryContext,
  ): void {
    this.#attempts.push({
      organizationId: record.organizationId,
      attemptId: record.id,
      deliveryId: record.deliveryId,
      webhookId: record.webhookId,
      agentId: context.event.agentId,
      eventType: context.event.type,
    });
  }

  toNotices(): Notices {
    return { deliveries: this.#deliveries, attempts: this.#attempts };
  }
}
