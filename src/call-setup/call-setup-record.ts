import type { Insertable, Transaction } from 'kysely';
import type { CircuitSettings } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { CommitOutcomeUnknownError } from '../db/transactions.ts';
import { logCallSetup, logCircuitChanges } from '../deliveries/attempt-log.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import type { FanOut } from '../deliveries/fan-out/fan-out.ts';
import { endpointHealthEvents, raiseOperationalEvents } from '../deliveries/operational-events.ts';
import { releaseHeld } from '../deliveries/pipeline/record/advance-deliveries.ts';
import { insertAttemptsAndResetHealthy } from '../deliveries/pipeline/record/insert-attempts.ts';
import { lockEndpointsIfChanging } from '../deliveries/pipeline/record/lock-endpoints.ts';
import { recordFailures } from '../deliveries/pipeline/record/record-failures.ts';
import type { CircuitChange } from '../deliveries/pipeline/record/record-settlements.ts';
import type { AttemptResult } from '../deliveries/pipeline/settlement.ts';
import type { RecentAttempts } from '../deliveries/recent-attempts.ts';
import { type Metrics, statusClass } from '../metrics/metrics.ts';
import type { DeliveryNotice } from '../pubsub/notices.ts';
import type { NoticeOutbox, Transactions } from '../pubsub/transactions.ts';
import { createGroupCommit, type ItemOutcome } from '../shared/group-commit.ts';
import type { Logger } from '../shared/logger.ts';
import type { Webhook } from '../webhooks/webhook.ts';
import { storeCallSetupAnswers } from './call-setups.repository.ts';
import type { CallSetupsTable } from './call-setups.table.ts';

/** One call setup once it has answered: the answer, and its tries if anything was sent. */
export interface CallSetupRecord {
  answer: Insertable<CallSetupsTable>;
  sent?: {
    event: { id: string; organizationId: string; agentId: string | null; callId: string | null };
    webhook: Webhook;
    deliveryId: string;
    /** Each try's result and its attempt-log record, in order. */
    tries: readonly { result: AttemptResult; record: DeliveryAttempt }[];
  };
}

export interface RecordCallSetupsOptions {
  fanOut: FanOut;
  circuit: CircuitSettings;
  disableAfterSeconds: number;
  recentAttempts?: RecentAttempts;
}

type Sent = NonNullable<CallSetupRecord['sent']>;

/**
 * Writes a batch of answered call setups on the caller's transaction, their tries as the worker
 * writes its attempts (pipeline/record): each setup's delivery (kind call_setup, already
 * finished: SUCCEEDED when answered) and its attempts, and the endpoints' health (a success
 * resets an endpoint and closes its circuit, releasing what it held; an endpoint that only
 * failed counts the failures toward its circuit and its auto-disable, which may hold or cancel
 * its other deliveries); then the answers. Its notices go out with the commit (the outbox);
 * returns the circuits that moved.
 */
export async function recordCallSetups(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  records: readonly CallSetupRecord[],
  options: RecordCallSetupsOptions,
): Promise<CircuitChange[]> {
  const sent = records.flatMap((r) => (r.sent && r.sent.tries.length > 0 ? [r.sent] : []));
  const circuits = sent.length > 0 ? await recordTries(trx, outbox, records, sent, options) : [];
  await storeCallSetupAnswers(
    trx,
    records.map((r) => r.answer),
  );
  return circuits;
}

async function recordTries(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  records: readonly CallSetupRecord[],
  sent: readonly Sent[],
  options: RecordCallSetupsOptions,
): Promise<CircuitChange[]> {
  const now = new Date();
  const healthy = new Set<string>();
  for (const s of sent) if (s.tries.some((t) => t.result.outcome.ok)) healthy.add(s.webhook.id);
  const failing = new Map<string, Sent['tries'][number][]>();
  for (const s of sent) {
    if (healthy.has(s.webhook.id)) continue;
    failing.set(s.webhook.id, [...(failing.get(s.webhook.id) ?? []), ...s.tries]);
  }
  // Health changes lock the webhook rows first, in id order, as the worker does.
  await lockEndpointsIfChanging(
    trx,
    sent.flatMap((s) => s.tries.map((t) => ({ webhook: s.webhook, ok: t.result.outcome.ok }))),
  );
  const answered = new Set(
    records.filter((r) => r.answer.outcome === 'ANSWERED').map((r) => r.answer.event_id),
  );
  const status = (s: Sent) =>
    answered.has(s.event.id) ? ('SUCCEEDED' as const) : ('FAILED' as const);
  await trx
    .insertInto('deliveries')
    .values(
      sent.map((s) => ({
        id: s.deliveryId,
        organization_id: s.event.organizationId,
        event_id: s.event.id,
        webhook_id: s.webhook.id,
        kind: 'call_setup' as const,
        call_id: s.event.callId,
        status: status(s),
        attempt_count: s.tries.length,
        series_attempt_count: s.tries.length,
        last_attempt_at: s.tries.at(-1)!.result.startedAt,
        next_attempt_at: null,
        updated_at: now,
      })),
    )
    .execute();
  const attempts = sent.flatMap((s) => s.tries.map((t) => t.record));
  const { inserted, closed } = await insertAttemptsAndResetHealthy(
    trx,
    attempts,
    [...healthy].sort(),
    options.recentAttempts,
  );
  const failures = await recordFailures(trx, failing, now, options);

  const deliveries: DeliveryNotice[] = [
    ...sent.map((s) => ({
      organizationId: s.event.organizationId,
      deliveryId: s.deliveryId,
      webhookId: s.webhook.id,
      status: status(s),
    })),
    ...failures.cancelled.map((c) => ({ ...c, status: 'CANCELLED' as const })),
  ];
  for (const released of await releaseHeld(trx, closed, now)) {
    deliveries.push({
      organizationId: released.organizationId,
      deliveryId: released.id,
      webhookId: released.webhookId,
      status: 'PENDING',
    });
  }
  const lastError = new Map<string, string | null>();
  for (const s of sent) {
    const last = s.tries.at(-1)!;
    if (!last.result.outcome.ok) lastError.set(s.webhook.id, last.record.error);
  }
  await raiseOperationalEvents(
    trx,
    outbox,
    options.fanOut,
    endpointHealthEvents({
      webhooks: new Map(sent.map((s) => [s.webhook.id, s.webhook])),
      lastError,
      failures,
      closed,
      now,
    }),
  );
  await options.fanOut.admit(trx, outbox, [...closed, ...failures.opened]);
  const agentOf = new Map(sent.map((s) => [s.deliveryId, s.event.agentId]));
  outbox.notify({
    deliveries,
    attempts: attempts
      .filter((a) => inserted.has(a.id))
      .map((a) => ({
        organizationId: a.organizationId,
        attemptId: a.id,
        deliveryId: a.deliveryId,
        webhookId: a.webhookId,
        agentId: agentOf.get(a.deliveryId) ?? null,
        eventType: 'PRE_CONVERSATION',
      })),
  });
  const organizationOf = new Map(sent.map((s) => [s.webhook.id, s.webhook.organizationId]));
  return [
    ...closed.map((webhookId) => ({
      webhookId,
      organizationId: organizationOf.get(webhookId)!,
      transition: 'closed' as const,
    })),
    ...failures.transitions,
  ];
}

export interface CallSetupRecorderOptions extends RecordCallSetupsOptions {
  transactions: Transactions;
  metrics: Metrics;
  logger: Logger;
}

/** Largest batch of answered setups written in one transaction. */
const MAX_BATCH = 200;

/**
 * Records answered call setups, group-committed (shared/group-commit.ts) as the worker writes
 * its settlements: the setups answered while one transaction is written share the next. A batch
 * that fails is written again one setup at a time, so that one setup whose call was erased
 * meanwhile (its event is gone) costs nobody else their record. Once committed: the log lines
 * and the attempts' metrics.
 */
export function createCallSetupRecorder(
  options: CallSetupRecorderOptions,
): (record: CallSetupRecord) => Promise<void> {
  const { transactions, logger } = options;
  const write = async (batch: readonly CallSetupRecord[]) => {
    const circuits = await transactions((trx, outbox) =>
      recordCallSetups(trx, outbox, batch, options),
    );
    for (const record of batch) reportRecorded(record, options);
    if (circuits.length > 0) logCircuitChanges(logger, circuits);
  };
  return createGroupCommit<CallSetupRecord, void>({
    maxItems: MAX_BATCH,
    async write(batch) {
      try {
        await write(batch);
        return batch.map(() => ({ ok: true, value: undefined }));
      } catch (error) {
        if (batch.length === 1 || error instanceof CommitOutcomeUnknownError) throw error;
        return Promise.all(
          batch.map((record) =>
            write([record]).then(
              (): ItemOutcome<void> => ({ ok: true, value: undefined }),
              (alone: unknown): ItemOutcome<void> => ({ ok: false, error: alone }),
            ),
          ),
        );
      }
    },
  });
}

function reportRecorded(record: CallSetupRecord, options: CallSetupRecorderOptions): void {
  const tries = record.sent?.tries ?? [];
  for (const { result } of tries) {
    const { outcome } = result;
    const kind = outcome.ok ? 'success' : 'failure';
    options.metrics.deliveryAttempts.inc({
      outcome: kind,
      status_class: statusClass(outcome.status),
    });
    options.metrics.deliveryAttemptDuration.observe({ outcome: kind }, outcome.durationMs / 1000);
  }
  const { answer } = record;
  logCallSetup(
    options.logger,
    {
      organizationId: answer.organization_id,
      eventId: answer.event_id,
      webhookId: answer.webhook_id ?? null,
      deliveryId: answer.delivery_id ?? null,
      outcome: answer.outcome,
      reason: answer.reason ?? null,
      durationMs: answer.duration_ms,
    },
    tries.map((t) => t.record),
  );
}
