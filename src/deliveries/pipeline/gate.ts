import { admitsAttempt } from '../policies/circuit-breaker.ts';
import { decideSlot } from '../policies/rate-limit.ts';
import type { DeliveryContext } from './load-contexts.ts';

/** What becomes of a fetched job before anything is sent. */
export type GateDecision =
  /** The delivery is gone or no longer pending. */
  | { kind: 'skip' }
  /** Its webhook was disabled or deleted. */
  | { kind: 'cancel' }
  /** Its endpoint's circuit is open (or half open, probing with another delivery). */
  | { kind: 'hold' }
  /** Its rate-limit slot is too far off to wait for in the worker. */
  | { kind: 'defer'; slotAt: Date }
  /** Send it, at `at` when the rate limit says so; `probe`: it is the circuit's probe. */
  | { kind: 'attempt'; probe: boolean; at: Date | null }
  /** Its endpoint is rate limited and it holds no slot yet: reserve one, then decide again. */
  | { kind: 'needs-slot' };

/**
 * The checks between fetching a job and attempting it, in order: the delivery still pending,
 * its webhook enabled, its circuit letting it through, its rate limit's slot.
 */
export function gate(
  context: DeliveryContext | undefined,
  slotAt: Date | null,
  now: Date,
): GateDecision {
  if (context?.delivery.status !== 'PENDING') return { kind: 'skip' };
  const { webhook, delivery } = context;
  if (!webhook.enabled || webhook.deletedAt) return { kind: 'cancel' };
  if (!admitsAttempt(webhook.circuit, delivery.id)) return { kind: 'hold' };
  const probe = webhook.circuit.state === 'HALF_OPEN';
  if (webhook.rateLimitPerSecond === null) return { kind: 'attempt', probe, at: null };
  if (!slotAt) return { kind: 'needs-slot' };
  const slot = decideSlot(slotAt, now);
  return slot.kind === 'defer-to'
    ? { kind: 'defer', slotAt: slot.at }
    : { kind: 'attempt', probe, at: slot.at };
}
