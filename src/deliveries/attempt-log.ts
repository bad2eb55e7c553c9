import type { Notices } from '../pubsub/notices.ts';
import type { Logger } from '../shared/logger.ts';
import type { CircuitChange } from './pipeline/record/record-settlements.ts';
import type { Settlement } from './pipeline/settlement.ts';

/**
 * One log line per recorded delivery attempt, written once its batch is committed, so the log
 * and the attempt table agree. Fields are ids, numbers and error kinds: never headers, bodies
 * or secrets. A released attempt (shutdown cut it short) gets a line too, since the receiver
 * may have seen the request and will see it again, with the same webhook-id, from another worker.
 */
export function logSettlements(
  logger: Logger,
  settlements: readonly Settlement[],
  notices: Notices,
): void {
  // recordSettlements announces each attempt it inserted; its id is the attempt's id.
  const attemptIds = new Map<string, string[]>();
  for (const notice of notices.attempts ?? []) {
    const ids = attemptIds.get(notice.deliveryId) ?? [];
    ids.push(notice.attemptId);
    attemptIds.set(notice.deliveryId, ids);
  }
  for (const settlement of settlements) {
    if (settlement.kind === 'attempted') {
      const { delivery, webhook, event } = settlement.context;
      const { outcome } = settlement.result;
      logger.info(
        {
          organizationId: delivery.organizationId,
          webhookId: webhook.id,
          deliveryId: delivery.id,
          attemptId: attemptIds.get(delivery.id)?.shift() ?? null,
          eventId: event.id,
          eventType: event.type,
          attemptNumber: delivery.attemptCount + 1,
          outcome: outcome.ok ? 'success' : 'failure',
          status: outcome.status,
          durationMs: Math.round(outcome.durationMs),
          errorKind: outcome.error?.kind ?? (outcome.ok ? null : 'http_status'),
          jobId: settlement.job.id,
        },
        'delivery attempt',
      );
    } else if (settlement.kind === 'released') {
      const { delivery, webhook } = settlement.context;
      logger.warn(
        {
          organizationId: delivery.organizationId,
          webhookId: webhook.id,
          deliveryId: delivery.id,
          attemptNumber: delivery.attemptCount + 1,
          jobId: settlement.job.id,
          reason: 'worker stopped',
        },
        'delivery attempt interrupted by shutdown: job released to another worker; the receiver may see this webhook-id again',
      );
    }
  }
}

/**
 * A circuit that opens is news for the operator (warn): an endpoint fails and its deliveries are
 * held. Probes and recovery are info.
 */
export function logCircuitChanges(logger: Logger, changes: readonly CircuitChange[]): void {
  for (const change of changes) {
    const fields = { organizationId: change.organizationId, webhookId: change.webhookId };
    if (change.transition === 'opened') {
      logger.warn(
        fields,
        'endpoint circuit opened: its deliveries are held until a probe succeeds',
      );
    } else if (change.transition === 'reopened') {
      logger.info(fields, 'endpoint circuit probe failed: the circuit stays open');
    } else {
      logger.info(fields, 'endpoint circuit closed: held deliveries are released');
    }
  }
}

/** A call setup once recorded: one line per try (as for any delivery attempt), then its answer. */
export function logCallSetup(
  logger: Logger,
  setup: {
    organizationId: string;
    eventId: string;
    webhookId: string | null;
    deliveryId: string | null;
    outcome: string;
    reason: string | null;
    durationMs: number;
  },
  attempts: readonly {
    id: string;
    attemptNumber: number;
    responseStatus: number | null;
    durationMs: number;
    errorKind: string | null;
  }[],
): void {
  const ids = {
    organizationId: setup.organizationId,
    webhookId: setup.webhookId,
    deliveryId: setup.deliveryId,
    eventId: setup.eventId,
  };
  for (const attempt of attempts) {
    logger.info(
      {
        ...ids,
        attemptId: attempt.id,
        kind: 'call_setup',
        eventType: 'PRE_CONVERSATION',
        attemptNumber: attempt.attemptNumber,
        outcome: attempt.errorKind === null ? 'success' : 'failure',
        status: attempt.responseStatus,
        durationMs: attempt.durationMs,
        errorKind: attempt.errorKind,
      },
      'delivery attempt',
    );
  }
  logger.info(
    {
      ...ids,
      outcome: setup.outcome,
      reason: setup.reason,
      attempts: attempts.length,
      durationMs: setup.durationMs,
    },
    'call setup',
  );
}
