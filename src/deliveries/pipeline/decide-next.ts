import type { SendOutcome } from '../../delivery-client/index.ts';
import type { DeliveryStatus } from '../deliveries.table.ts';
import { nextDelay } from '../policies/retry-schedule.ts';

export interface NextStep {
  status: Extract<DeliveryStatus, 'SUCCEEDED' | 'PENDING' | 'FAILED' | 'HELD'>;
  nextAttemptAt: Date | null;
  /** Whether the attempt counts against the delivery's retry schedule. */
  spendsSchedule: boolean;
}

/**
 * What follows an attempt: success ends the delivery, a failure waits for the next slot of the
 * schedule (or what Retry-After asks), and a failure with no slot left ends it as FAILED. A
 * failed circuit probe returns its delivery to HELD with its schedule untouched: while the
 * circuit is open, deliveries wait without spending attempts (policies/circuit-breaker.ts).
 */
export function decideNext(input: {
  outcome: Pick<SendOutcome, 'ok' | 'status' | 'retryAfterSeconds'>;
  /** 1-based number of this attempt within its series (a redelivery starts a new series). */
  seriesAttemptNumber: number;
  scheduleSeconds: readonly number[];
  probe?: boolean;
  now: Date;
  random?: () => number;
}): NextStep {
  if (input.outcome.ok) return { status: 'SUCCEEDED', nextAttemptAt: null, spendsSchedule: true };
  if (input.probe) return { status: 'HELD', nextAttemptAt: null, spendsSchedule: false };
  const delayMs = nextDelay({
    attemptNumber: input.seriesAttemptNumber,
    scheduleSeconds: input.scheduleSeconds,
    status: input.outcome.status,
    retryAfterSeconds: input.outcome.retryAfterSeconds,
    random: input.random,
  });
  if (delayMs === null) return { status: 'FAILED', nextAttemptAt: null, spendsSchedule: true };
  return {
    status: 'PENDING',
    nextAttemptAt: new Date(input.now.getTime() + delayMs),
    spendsSchedule: true,
  };
}
