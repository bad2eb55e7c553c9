import type { SendOutcome } from '../../delivery-client/index.ts';
import type { DeliveryContext } from './load-contexts.ts';

/** The fetched job a settlement closes; the retry count pins the exact claim we hold. */
export interface JobClaim {
  id: string;
  retryCount: number;
}

/** What the attempt log, the metrics and the trace call a failed attempt; null for a success. */
export function attemptErrorKind(outcome: SendOutcome): string | null {
  return outcome.error?.kind ?? (outcome.ok ? null : 'http_status');
}

export interface AttemptResult {
  startedAt: Date;
  requestHeaders: Record<string, string>;
  outcome: SendOutcome;
  /** The attempt was its endpoint's circuit probe. */
  probe: boolean;
}

/** How a fetched job ended; each kind is recorded differently (record/record-settlements.ts). */
export type Settlement =
  | { kind: 'attempted'; job: JobClaim; context: DeliveryContext; result: AttemptResult }
  /** The webhook was disabled or deleted while the job waited: nobody is contacted. */
  | { kind: 'cancelled'; job: JobClaim; context: DeliveryContext }
  /** The delivery is gone or no longer pending (redelivered, cancelled): nothing to do. */
  | { kind: 'skipped'; job: JobClaim }
  /** The endpoint's circuit is open: the delivery is held, its schedule untouched. */
  | { kind: 'held'; job: JobClaim; context: DeliveryContext }
  /** The endpoint's rate limit gave it a later send slot: the job comes back then. */
  | { kind: 'deferred'; job: JobClaim; context: DeliveryContext; slotAt: Date }
  /** Shutdown interrupted the attempt: the job goes back to the queue for another worker. */
  | { kind: 'released'; job: JobClaim; context: DeliveryContext };

export type Attempted = Extract<Settlement, { kind: 'attempted' }>;
