import type { Db } from '../db/database.ts';
import { type EventTypeName, getEventType } from '../event-types/event-types.ts';
import type {
  OperationalEventTypeName,
  OperationalWebhookRef,
} from '../event-types/operational-event-types.ts';
import type { NoticeOutbox } from '../pubsub/transactions.ts';
import { newId } from '../shared/ids.ts';
import type { EndpointCircuit, Webhook } from '../webhooks/webhook.ts';
import type { FanOut } from './fan-out/fan-out.ts';
import {
  insertOperationalDeliveries,
  type NewOperationalEvent,
} from './fan-out/operational-deliveries.repository.ts';

/**
 * Operational events (event-types/operational-event-types.ts), raised inside the transaction
 * that causes them, so that they exist exactly when what they report does: recording settlements
 * (a circuit opened or closed, an endpoint disabled, a delivery exhausted), starting probes (a
 * circuit closed with nothing held) and toggleWebhook (disabled by its organization). They then
 * take the same path as every delivery: admission, jobs, attempts, retries, signing with the
 * operational endpoint's own secret. A circuit that opens again after a failed probe raises
 * nothing: it never closed.
 */
export type OperationalEvent = NewOperationalEvent;

export async function raiseOperationalEvents(
  trx: Db,
  outbox: NoticeOutbox,
  fanOut: FanOut,
  events: readonly OperationalEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const created = await insertOperationalDeliveries(trx, events);
  await fanOut.queueNew(trx, outbox, created);
}

/**
 * What recording requests to endpoints did to their health (a worker's attempts or a call
 * setup's tries): circuits that opened or closed, endpoints disabled for failing too long.
 */
export function endpointHealthEvents(batch: {
  /** The endpoints requested, as they were before this batch. */
  webhooks: ReadonlyMap<string, Webhook>;
  /** Each failing endpoint's last error, for the circuit's reason. */
  lastError: ReadonlyMap<string, string | null>;
  failures: {
    transitions: readonly { webhookId: string; transition: string; circuit: EndpointCircuit }[];
    disabled: readonly { webhook: Webhook; reason: string; failingSince: Date }[];
  };
  closed: readonly string[];
  now: Date;
}): OperationalEvent[] {
  const events: OperationalEvent[] = [];
  for (const t of batch.failures.transitions) {
    if (t.transition !== 'opened') continue;
    const webhook = batch.webhooks.get(t.webhookId)!;
    events.push(circuitOpened(webhook, t.circuit, batch.lastError.get(t.webhookId) ?? null));
  }
  for (const id of batch.closed) {
    events.push(circuitClosed(batch.webhooks.get(id)!, 'attempt_succeeded', batch.now));
  }
  for (const d of batch.failures.disabled) {
    events.push(
      endpointDisabled(d.webhook, {
        trigger: 'automatic',
        reason: d.reason,
        failingSince: d.failingSince,
        at: batch.now,
      }),
    );
  }
  return events;
}

function event(
  type: OperationalEventTypeName,
  webhook: Webhook,
  payload: Record<string, unknown>,
): OperationalEvent {
  return {
    id: newId('Event'),
    organizationId: webhook.organizationId,
    type,
    payload: { webhook: refOf(webhook), ...payload },
    aboutWebhookId: webhook.id,
  };
}

function refOf(webhook: Webhook): OperationalWebhookRef {
  return { id: webhook.id, url: webhook.url, description: webhook.description };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function endpointDisabled(
  webhook: Webhook,
  disabled: {
    trigger: 'automatic' | 'manual';
    reason: string;
    failingSince: Date | null;
    at: Date;
  },
): OperationalEvent {
  return event('ENDPOINT_DISABLED', webhook, {
    trigger: disabled.trigger,
    reason: disabled.reason,
    failingSince: iso(disabled.failingSince),
    disabledAt: disabled.at.toISOString(),
  });
}

/** `circuit` is the circuit as it opened. */
export function circuitOpened(
  webhook: Webhook,
  circuit: EndpointCircuit,
  lastError: string | null,
): OperationalEvent {
  const failures = `${circuit.consecutiveFailures} attempts failed in a row`;
  return event('ENDPOINT_CIRCUIT_OPENED', webhook, {
    reason: lastError ? `${failures} (the last: ${lastError})` : failures,
    consecutiveFailures: circuit.consecutiveFailures,
    lastError,
    openedAt: iso(circuit.openedAt),
    nextProbeAt: iso(circuit.nextProbeAt),
  });
}

/** `webhook` as it was before it closed (its circuit says since when it was open). */
export function circuitClosed(
  webhook: Webhook,
  reason: 'attempt_succeeded' | 'nothing_held',
  at: Date,
): OperationalEvent {
  return event('ENDPOINT_CIRCUIT_CLOSED', webhook, {
    reason,
    openedAt: iso(webhook.circuit.openedAt),
    closedAt: at.toISOString(),
  });
}

export function deliveryExhausted(
  webhook: Webhook,
  delivery: { id: string; eventId: string; eventType: EventTypeName; attempts: number },
  lastAttempt: { error: string | null; startedAt: Date },
  at: Date,
): OperationalEvent {
  return event('DELIVERY_EXHAUSTED', webhook, {
    delivery: { ...delivery, eventType: getEventType(delivery.eventType).wireName },
    reason: lastAttempt.error ?? 'failed',
    lastAttemptAt: lastAttempt.startedAt.toISOString(),
    exhaustedAt: at.toISOString(),
  });
}
