import type { DashboardCircuitFragment } from '../../../generated/graphql.ts';
import { CircuitBadge } from '../../ui/badges.tsx';
import { Time } from '../../ui/time.tsx';

/**
 * The circuit's state among the webhook's facts. It is a live region: when the page reloads
 * after deliveries changed and the circuit has opened or closed meanwhile, a screen reader says so.
 */
export function CircuitFact({ circuit }: { circuit: DashboardCircuitFragment }) {
  return (
    <div>
      <dt>Circuit</dt>
      <dd data-testid="webhook-circuit" aria-live="polite">
        <CircuitBadge state={circuit.state} />
      </dd>
    </div>
  );
}

/**
 * Why an open (or half-open) circuit holds this endpoint's deliveries, since when, and when
 * Hookline next tries one. Nothing while the circuit is closed.
 */
export function CircuitDetails({ circuit }: { circuit: DashboardCircuitFragment }) {
  if (circuit.state === 'CLOSED') return null;
  const probing = circuit.state === 'HALF_OPEN';
  const failures = `${circuit.consecutiveFailures} ${
    circuit.consecutiveFailures === 1 ? 'attempt' : 'attempts'
  } in a row`;
  return (
    <div
      class={`callout ${probing ? 'callout-warning' : 'callout-bad'}`}
      data-testid="circuit-details"
    >
      <p>
        <strong>Deliveries to this endpoint are held.</strong> It failed {failures}, so Hookline
        stopped sending to it; held deliveries keep their retries.{' '}
        {probing
          ? 'One of them is being tried now as a probe: if it succeeds, the circuit closes and the rest go out; if not, the circuit stays open and waits longer before the next probe.'
          : 'Now and then one is tried as a probe, less often after each failure; the first success closes the circuit and sends the rest.'}
      </p>
      <dl class="facts">
        <div>
          <dt>Open since</dt>
          <dd>{circuit.openedAt ? <Time iso={circuit.openedAt} precise /> : '—'}</dd>
        </div>
        <div>
          <dt>Failed attempts in a row</dt>
          <dd>{circuit.consecutiveFailures}</dd>
        </div>
        <div>
          <dt>Next probe</dt>
          <dd data-testid="circuit-next-probe">
            {probing ? (
              'Now, in progress'
            ) : circuit.nextProbeAt ? (
              <Time iso={circuit.nextProbeAt} precise />
            ) : (
              '—'
            )}
          </dd>
        </div>
      </dl>
    </div>
  );
}
