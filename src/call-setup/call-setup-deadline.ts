import { BadUserInputError } from '../shared/errors.ts';

/**
 * A call setup's deadline: how long requestCallSetup may take, whatever the responder does.
 * Voice platforms give such hooks 3 to 10 s; below 100 ms no endpoint on another network could
 * answer, and above 10 s a caller hears silence too long.
 */
export const MIN_CALL_SETUP_DEADLINE_MS = 100;
export const MAX_CALL_SETUP_DEADLINE_MS = 10_000;

/** The request's deadline, or the configured default; refuses one out of range. */
export function callSetupDeadlineMs(
  requested: number | null | undefined,
  fallbackMs: number,
): number {
  const deadlineMs = requested ?? fallbackMs;
  if (
    !Number.isInteger(deadlineMs) ||
    deadlineMs < MIN_CALL_SETUP_DEADLINE_MS ||
    deadlineMs > MAX_CALL_SETUP_DEADLINE_MS
  ) {
    throw new BadUserInputError([
      {
        field: 'deadlineMs',
        message: `must be a whole number of milliseconds from ${MIN_CALL_SETUP_DEADLINE_MS} to ${MAX_CALL_SETUP_DEADLINE_MS}`,
      },
    ]);
  }
  return deadlineMs;
}
