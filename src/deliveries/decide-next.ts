import type { SendOutcome } from '../delivery-client/index.ts';
import type { DeliveryStatus } from './deliveries.table.ts';
import { nextDelay } from './next-delay.ts';

export interface NextStep {
  status: Extract<DeliveryStatus, 'SUCCEEDED' | 'PENDING' | 'FAILED'>;
  nextAttemptAt: Date | null;
}

/**
 * What follows an attempt: success ends the delivery, a failure waits for the next slot of the
 * schedule (or what Retry-After asks), and a failure with no slot left ends it as FAILED.
 */
export function decideNext(input: {
  outcome: Pick<SendOutcome, 'ok' | 'status' | 'retryAfterSeconds'>;
  /** 1-based number of this attempt within its series (a redelivery starts a new series). */
  seriesAttemptNumber: number;
  scheduleSeconds: readonly number[];
  now: Date;
  random?: () => number;
}): NextStep {
  if (input.outcome.ok) return { status: 'SUCCEEDED', nextAttemptAt: null };
  const delayMs = nextDelay({
    attemptNumber: input.seriesAttemptNumber,
    scheduleSeconds: input.scheduleSeconds,
    status: input.outcome.status,
    retryAfterSeconds: input.outcome.retryAfterSeconds,
    random: input.random,
  });
  if (delayMs === null) return { status: 'FAILED', nextAttemptAt: null };
  return { status: 'PENDING', nextAttemptAt: new Date(input.now.getTime() + delayMs) };
}
