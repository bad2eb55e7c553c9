import type { CircuitState } from '../../generated/graphql.ts';
import { type EventTypeInfo, eventTypeLabel } from '../context.ts';
import { type DeliveryStatusName, formatRate, healthOf } from '../stats.ts';

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <span class={`badge ${enabled ? 'badge-good' : 'badge-off'}`}>
      {enabled ? 'Enabled' : 'Disabled'}
    </span>
  );
}

const DELIVERY_BADGE: Record<DeliveryStatusName, [string, string]> = {
  SUCCEEDED: ['badge-good', 'Succeeded'],
  FAILED: ['badge-bad', 'Failed'],
  PENDING: ['badge-warning', 'Pending'],
  HELD: ['badge-warning', 'Held'],
  CANCELLED: ['badge-off', 'Cancelled'],
};

export function DeliveryBadge({ status }: { status: DeliveryStatusName }) {
  const [tone, label] = DELIVERY_BADGE[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

const CIRCUIT_BADGE: Record<CircuitState, [string, string]> = {
  CLOSED: ['badge-good', 'closed'],
  OPEN: ['badge-bad', 'open'],
  HALF_OPEN: ['badge-warning', 'half open'],
};

/**
 * An endpoint's circuit breaker: closed (sending), open (holding), half open (probing). The
 * words carry the state, the colour only repeats it. `named` says "Circuit open" where nothing
 * around the badge says what it is about (a list's status cell).
 */
export function CircuitBadge({ state, named = false }: { state: CircuitState; named?: boolean }) {
  const [tone, label] = CIRCUIT_BADGE[state];
  return (
    <span class={`badge ${tone}`} data-circuit={state}>
      {named ? `Circuit ${label}` : label.charAt(0).toUpperCase() + label.slice(1)}
    </span>
  );
}

/** The outcome of one HTTP attempt: its status code, or why none came. */
export function AttemptResult({
  responseStatus,
  errorKind,
}: {
  responseStatus: number | null | undefined;
  errorKind: string | null | undefined;
}) {
  if (responseStatus != null) {
    // A 2xx can still fail: a call setup's answer that breaks its schema (errorKind says so).
    const ok = responseStatus >= 200 && responseStatus < 300 && !errorKind;
    return (
      <span class={`badge ${ok ? 'badge-good' : 'badge-bad'}`}>
        HTTP {responseStatus}
        {ok || !errorKind || errorKind === 'http_status' ? '' : ` · ${errorKind}`}
      </span>
    );
  }
  return <span class="badge badge-bad">{errorKind ?? 'no response'}</span>;
}

/** A webhook's attempt success rate over a window, from `Webhook.stats`. */
export function SuccessRate({
  stats,
  window,
}: {
  stats: { attemptCount: number; successCount: number; successRate?: number | null };
  window: string;
}) {
  if (stats.successRate == null) {
    return <span class="muted">No attempts in {window}</span>;
  }
  return (
    <span
      class={`rate rate-${healthOf(stats.successRate)}`}
      title={`${stats.successCount} of ${stats.attemptCount} attempts in ${window} answered 2xx`}
    >
      <strong>{formatRate(stats.successRate)}</strong>{' '}
      <span class="muted">
        ({stats.successCount} of {stats.attemptCount})
      </span>
    </span>
  );
}

export function EventChips({
  events,
  eventTypes,
}: {
  events: readonly string[];
  eventTypes: readonly EventTypeInfo[];
}) {
  return (
    <ul class="chips">
      {events.map((type) => (
        <li key={type} class="chip">
          {eventTypeLabel(eventTypes, type)}
        </li>
      ))}
    </ul>
  );
}

/** Marks a call setup's delivery (answered inline, within a deadline) among notifications. */
export function CallSetupBadge({ kind }: { kind: string }) {
  if (kind !== 'CALL_SETUP') return null;
  return (
    <span
      class="badge badge-call-setup"
      title="Asked inline by requestCallSetup, within a deadline"
    >
      Call setup
    </span>
  );
}
