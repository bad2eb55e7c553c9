import { sql } from 'kysely';
import type { CircuitSettings } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import type { FanOut } from '../deliveries/fan-out/fan-out.ts';
import { releaseHeld } from '../deliveries/pipeline/record/advance-deliveries.ts';
import { insertAttemptsAndResetHealthy } from '../deliveries/pipeline/record/insert-attempts.ts';
import { recordFailures } from '../deliveries/pipeline/record/record-failures.ts';
import type { CircuitChange } from '../deliveries/pipeline/record/record-settlements.ts';
import type { AttemptResult } from '../deliveries/pipeline/settlement.ts';
import type { RecentAttempts } from '../deliveries/recent-attempts.ts';
import type { DeliveryNotice, Notices } from '../pubsub/notices.ts';
import type { Webhook } from '../webhooks/webhook.ts';

/** The tries of one call setup, to be logged like any delivery's attempts. */
export interface CallSetupTries {
  event: { id: string; organizationId: string; agentId: string; callId: string | null };
  webhook: Webhook;
  deliveryId: string;
  /** Each try's result and its attempt-log record, in order. */
  tries: readonly { result: AttemptResult; record: DeliveryAttempt }[];
  /** The setup was answered: the delivery SUCCEEDED (else FAILED: the fallback applied). */
  answered: boolean;
}

export interface RecordTriesOptions {
  fanOut: FanOut;
  circuit: CircuitSettings;
  disableAfterSeconds: number;
  recentAttempts?: RecentAttempts;
}

/**
 * Writes a call setup's tries on the caller's transaction, as the worker writes its attempts
 * (pipeline/record): the delivery (kind call_setup, already finished) and its attempts, the
 * endpoint's health (a success resets it and closes its circuit, releasing what it held; failures
 * count toward its circuit and its auto-disable, which may hold or cancel its other deliveries).
 * Returns the notices to publish with the commit and the circuits that moved.
 */
export async function recordCallSetupTries(
  trx: Db,
  setup: CallSetupTries,
  options: RecordTriesOptions,
): Promise<{ notices: Notices; circuits: CircuitChange[] }> {
  const { webhook, event } = setup;
  const now = new Date();
  const healthy = setup.tries.some((t) => t.result.outcome.ok);
  // Health changes: webhook rows first, as the worker locks them (record/lock-endpoints.ts).
  if (!healthy || webhook.circuit.state !== 'CLOSED') {
    await sql`select id from webhooks where id = ${webhook.id} for no key update`.execute(trx);
  }
  const last = setup.tries.at(-1)!;
  await trx
    .insertInto('deliveries')
    .values({
      id: setup.deliveryId,
      organization_id: event.organizationId,
      event_id: event.id,
      webhook_id: webhook.id,
      kind: 'call_setup',
      call_id: event.callId,
      status: setup.answered ? 'SUCCEEDED' : 'FAILED',
      attempt_count: setup.tries.length,
      series_attempt_count: setup.tries.length,
      last_attempt_at: last.result.startedAt,
      next_attempt_at: null,
      updated_at: now,
    })
    .execute();
  const records = setup.tries.map((t) => t.record);
  const { inserted, closed } = await insertAttemptsAndResetHealthy(
    trx,
    records,
    healthy ? [webhook.id] : [],
    options.recentAttempts,
  );
  const failures = healthy
    ? { opened: [], transitions: [], cancelled: [] }
    : await recordFailures(trx, new Map([[webhook.id, setup.tries]]), now, options);

  const deliveries: DeliveryNotice[] = [
    {
      organizationId: event.organizationId,
      deliveryId: setup.deliveryId,
      webhookId: webhook.id,
      status: setup.answered ? 'SUCCEEDED' : 'FAILED',
    },
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
  const admitted = await options.fanOut.admit(trx, [...closed, ...failures.opened]);
  return {
    notices: {
      wake: admitted.wake,
      deliveries: [...deliveries, ...(admitted.deliveries ?? [])],
      attempts: records
        .filter((r) => inserted.has(r.id))
        .map((r) => ({
          organizationId: r.organizationId,
          attemptId: r.id,
          deliveryId: r.deliveryId,
          webhookId: r.webhookId,
          agentId: event.agentId,
          eventType: 'PRE_CONVERSATION',
        })),
    },
    circuits: [
      ...closed.map((webhookId) => ({
        webhookId,
        organizationId: webhook.organizationId,
        transition: 'closed' as const,
      })),
      ...failures.transitions,
    ],
  };
}
