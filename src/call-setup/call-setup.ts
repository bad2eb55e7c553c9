import type { CallVariables } from '../agents/call-variables.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import type { CallAction, CallSetupOutcome, CallSetupRow } from './call-setups.table.ts';

/** What a call setup answered, and how it came to. */
export interface CallSetup {
  eventId: string;
  organizationId: string;
  outcome: CallSetupOutcome;
  action: CallAction;
  variables: CallVariables;
  /** Why the fallback applies (a short code: timeout, http_status_503, ...); null otherwise. */
  reason: string | null;
  durationMs: number;
  /** The responder asked, if any. */
  webhookId: string | null;
  /** The call-setup delivery whose attempts these are (null when nothing was sent). */
  deliveryId: string | null;
  /**
   * The tries made by this process just now, with the recording of them: readers of `attempts`
   * wait for it (until the deadline at most) so the attempts they see are in the log. Absent for
   * a setup read back from the database, whose attempts are loaded by delivery id.
   */
  fresh?: {
    /** The tries so far (one may still end after an answer the deadline forced). */
    attempts: () => DeliveryAttempt[];
    recorded: Promise<void>;
    /** performance.now() of the deadline. */
    deadlineAt: number;
  };
}

/** A setup answered earlier, as stored (the answer of an idempotent repeat). */
export function toCallSetup(row: CallSetupRow): CallSetup {
  return {
    eventId: row.event_id,
    organizationId: row.organization_id,
    outcome: row.outcome,
    action: row.action,
    variables: row.variables,
    reason: row.reason,
    durationMs: row.duration_ms,
    webhookId: row.webhook_id,
    deliveryId: row.delivery_id,
  };
}
