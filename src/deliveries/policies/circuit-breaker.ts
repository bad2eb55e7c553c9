import type { CircuitSettings } from '../../config/config.ts';
import type { EndpointCircuit } from '../../webhooks/webhook.ts';

/**
 * The circuit breaker of one endpoint. CLOSED: attempts go out. After `failureThreshold`
 * failed attempts in a row it OPENs: the endpoint's deliveries are held (status HELD) instead
 * of attempted, and do not spend their retry schedule. When its probe time comes, one held
 * delivery is let through (HALF_OPEN); if it succeeds the circuit closes and everything held
 * is released, if it fails the circuit opens again and the wait before the next probe doubles,
 * up to `maxProbeSeconds`. A success at any time closes it. The auto-disable after days of
 * failure (auto-disable.ts) still applies, probes being attempts like any other.
 */
export type CircuitTransition = 'opened' | 'reopened' | 'closed';

export interface AttemptOutcome {
  ok: boolean;
  /** This attempt was the circuit's probe. */
  probe: boolean;
}

export interface CircuitChange {
  circuit: EndpointCircuit;
  transition: CircuitTransition | null;
}

/** Seconds to wait before the next probe, after `failedProbes` probes failed since opening. */
export function probeDelaySeconds(failedProbes: number, settings: CircuitSettings): number {
  return Math.min(settings.maxProbeSeconds, settings.probeSeconds * 2 ** failedProbes);
}

/** The circuit after a batch of attempts to its endpoint, in the order they were made. */
export function afterAttempts(
  circuit: EndpointCircuit,
  outcomes: readonly AttemptOutcome[],
  now: Date,
  settings: CircuitSettings,
): CircuitChange {
  const initial = circuit.state;
  let current = circuit;
  for (const outcome of outcomes) current = afterAttempt(current, outcome, now, settings);
  return { circuit: current, transition: transitionBetween(initial, current.state) };
}

function afterAttempt(
  circuit: EndpointCircuit,
  outcome: AttemptOutcome,
  now: Date,
  settings: CircuitSettings,
): EndpointCircuit {
  if (outcome.ok) return closedCircuit();
  const consecutiveFailures = circuit.consecutiveFailures + 1;
  if (circuit.state === 'HALF_OPEN' && outcome.probe) {
    return opened(now, circuit.failedProbes + 1, consecutiveFailures, settings);
  }
  if (circuit.state === 'CLOSED' && consecutiveFailures >= settings.failureThreshold) {
    return opened(now, 0, consecutiveFailures, settings);
  }
  return { ...circuit, consecutiveFailures };
}

function opened(
  now: Date,
  failedProbes: number,
  consecutiveFailures: number,
  settings: CircuitSettings,
): EndpointCircuit {
  return {
    state: 'OPEN',
    consecutiveFailures,
    openedAt: now,
    nextProbeAt: new Date(now.getTime() + probeDelaySeconds(failedProbes, settings) * 1000),
    failedProbes,
    probeDeliveryId: null,
  };
}

export function closedCircuit(consecutiveFailures = 0): EndpointCircuit {
  return {
    state: 'CLOSED',
    consecutiveFailures,
    openedAt: null,
    nextProbeAt: null,
    failedProbes: 0,
    probeDeliveryId: null,
  };
}

function transitionBetween(
  before: EndpointCircuit['state'],
  after: EndpointCircuit['state'],
): CircuitTransition | null {
  if (after === 'CLOSED') return before === 'CLOSED' ? null : 'closed';
  if (after === 'OPEN' && before === 'CLOSED') return 'opened';
  if (after === 'OPEN' && before === 'HALF_OPEN') return 'reopened';
  return null;
}

/**
 * A probe is due: how long the half-open circuit waits for its probe's result before it lets
 * another one through (the probe's worker may have died).
 */
export function halfOpenWatchdogSeconds(requestTimeoutMs: number): number {
  return Math.ceil(requestTimeoutMs / 1000) + 60;
}

/** May a fetched delivery of this endpoint be attempted now, as far as its circuit goes? */
export function admitsAttempt(circuit: EndpointCircuit, deliveryId: string): boolean {
  if (circuit.state === 'CLOSED') return true;
  return circuit.state === 'HALF_OPEN' && circuit.probeDeliveryId === deliveryId;
}
