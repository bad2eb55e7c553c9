/** Delay in seconds after attempt 1, 2, ...; total attempts = length + 1 (about 27 hours in all). */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  5, 300, 1800, 7200, 18000, 36000, 36000,
];

/** A receiver's Retry-After is honoured only within these bounds, so it can neither hammer nor park us. */
export const RETRY_AFTER_MIN_SECONDS = 1;
export const RETRY_AFTER_MAX_SECONDS = 24 * 60 * 60;

export const DEFAULT_JITTER = 0.2;

export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 1 && parts[0] === '') {
    throw new Error(
      'retry schedule is empty: give comma-separated delays in seconds, e.g. "5,300"',
    );
  }
  return parts.map((part, index) => {
    if (!/^\d+(\.\d+)?$/.test(part)) {
      throw new Error(
        `retry schedule entry ${index + 1} is ${JSON.stringify(part)}: expected a non-negative number of seconds`,
      );
    }
    return Number(part);
  });
}

/**
 * Milliseconds until the next attempt, or null when the attempt that just failed
 * (1-based `attemptNumber`) was the last one the schedule allows. Jitter spreads
 * retries so that endpoints recovering from an outage are not hit in lockstep.
 */
export function nextDelay(input: {
  attemptNumber: number;
  scheduleSeconds: readonly number[];
  status: number | null;
  retryAfterSeconds: number | null;
  random?: () => number;
  jitter?: number;
}): number | null {
  const { attemptNumber, scheduleSeconds, status, retryAfterSeconds } = input;
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new Error(`attemptNumber must be a positive integer, got ${attemptNumber}`);
  }
  const baseSeconds = scheduleSeconds[attemptNumber - 1];
  if (baseSeconds === undefined) return null;

  if ((status === 429 || status === 503) && retryAfterSeconds !== null) {
    const seconds = Math.min(
      RETRY_AFTER_MAX_SECONDS,
      Math.max(RETRY_AFTER_MIN_SECONDS, retryAfterSeconds),
    );
    return Math.round(seconds * 1000);
  }

  const jitter = input.jitter ?? DEFAULT_JITTER;
  if (!(jitter >= 0 && jitter <= 1)) throw new Error(`jitter must be within [0, 1], got ${jitter}`);
  const random = input.random ?? Math.random;
  const factor = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(baseSeconds * 1000 * factor));
}
