/**
 * Fair share between endpoints and organizations. Two rules, applied where jobs are queued
 * (src/deliveries/fan-out/admission.repository.ts) and nowhere else:
 *
 * 1. An endpoint has at most `ADMITTED_PER_SLOT` deliveries per slot admitted to the queue at once; the
 *    rest wait, without a job, and are admitted as earlier ones finish. pg-boss's fetch walks its
 *    queue in order and skips the jobs of an endpoint that is at its concurrency cap one row at a
 *    time (measured: 16-29 ms a fetch behind 20,000 such jobs), so a backlog left in the queue
 *    would slow every fetch for everyone. Bounded, it costs a few rows.
 * 2. Jobs carry a priority band. First attempts of a quiet organization (fewer than
 *    `BUSY_ORGANIZATION_ADMITTED` admitted) go before those of a busy one, and first attempts
 *    of anyone go before retries. So a fresh event of a quiet organization never queues behind
 *    another organization's backlog, and a retry never jumps ahead of new events. Within a band
 *    the queue is first in, first out.
 * 3. A few of each worker's slots (`reservedForQuiet`) take only the first band. A backlog can
 *    keep every other slot busy, but a quiet organization's event finds one free at once
 *    instead of waiting for a busy endpoint to answer.
 */

/**
 * Admitted deliveries per concurrency slot of an endpoint: enough to refill each slot as it
 * frees without waiting for an admission.
 */
export const ADMITTED_PER_SLOT = 2;

/** An organization with this many first attempts admitted is busy. */
export const BUSY_ORGANIZATION_ADMITTED = 32;

/** pg-boss fetches the highest priority first. */
export const JOB_PRIORITY = {
  /** A first attempt of a quiet organization, and a circuit's probe. */
  quiet: 0,
  /** A first attempt of a busy organization. */
  busy: -1,
  /** A retry after a failed attempt. */
  retry: -2,
} as const;

export type JobPriority = (typeof JOB_PRIORITY)[keyof typeof JOB_PRIORITY];

/** Slots of a worker with `concurrency` slots that only take jobs of the first band. */
export function reservedForQuiet(concurrency: number): number {
  return concurrency > 1 ? Math.max(1, Math.floor(concurrency / 8)) : 0;
}
