/**
 * An endpoint's optional `rateLimitPerSecond` spaces its attempts evenly, across every worker:
 * each attempt takes the endpoint's next free send slot (one row per endpoint, advanced by
 * 1 / rate each time). Waiting for a slot is not a failure and spends nothing of the retry
 * schedule. A slot close enough is waited for in the worker; a later one sends the job back to
 * the queue due at its slot, which it keeps.
 */

/** Slots closer than this are waited for in the worker, holding its concurrency slot. */
export const MAX_IN_WORKER_WAIT_MS = 1_000;

export function slotIntervalMs(ratePerSecond: number): number {
  return 1000 / ratePerSecond;
}

export type SlotDecision = { kind: 'send-at'; at: Date } | { kind: 'defer-to'; at: Date };

export function decideSlot(slot: Date, now: Date): SlotDecision {
  return slot.getTime() - now.getTime() <= MAX_IN_WORKER_WAIT_MS
    ? { kind: 'send-at', at: slot }
    : { kind: 'defer-to', at: slot };
}
