import type { Context as TraceContext } from '@opentelemetry/api';
import type { Db } from '../db/database.ts';
import { getDelivery } from '../deliveries/deliveries.service.ts';
import type { Delivery } from '../deliveries/delivery.ts';
import { insertDeliveriesToWebhooks } from '../deliveries/fan-out/create-deliveries.repository.ts';
import type { Queueing } from '../deliveries/fan-out/fan-out.ts';
import {
  type EventTypeName,
  getEventType,
  isOperationalEventType,
  MAX_PAYLOAD_BYTES,
  payloadByteLength,
  validateEventPayload,
} from '../event-types/event-types.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { BadUserInputError, ConflictError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inOrderOf } from '../shared/in-order-of.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { requireWebhook } from '../webhooks/webhooks.service.ts';
import { type Event, toEvent } from './event.ts';
import type { EventIngest } from './event-ingest.ts';
import * as eventsRepository from './events.repository.ts';

export interface EmitEventInput {
  agentId: string;
  type: EventTypeName;
  payload: unknown;
  idempotencyKey?: string | null;
}

/**
 * Refuses payloads that are too large or do not meet their type's schema, naming each problem.
 * Returns the payload as validated, and its size (which sizes the ingest's batches).
 */
export function validatePayload(
  type: EventTypeName,
  payload: unknown,
): { data: Record<string, unknown>; bytes: number } {
  if (isOperationalEventType(type)) {
    throw new BadUserInputError([
      { field: 'type', message: 'is an operational event type: only Hookline raises those' },
    ]);
  }
  const size = payloadByteLength(payload);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new BadUserInputError([
      { field: 'payload', message: `is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}` },
    ]);
  }
  const result = validateEventPayload(type, payload);
  if (!result.ok) {
    throw new BadUserInputError(
      result.issues.map((issue) => ({
        field: issue.path ? `payload.${issue.path}` : 'payload',
        message: issue.message,
      })),
    );
  }
  return { data: result.data, bytes: size };
}

/**
 * Stores an event and fans it out, in one transaction, to every enabled webhook subscribed to
 * this agent and type. An idempotency key already used by the organization returns the event it
 * first created, and creates nothing (or is a CONFLICT, when the first event had another agent,
 * type or payload). Concurrent emits share transactions (see createEventIngest). `trace`: the
 * operation's span, when traced: the ingest's span is its child.
 */
export async function emitEvent(
  deps: { ingest: EventIngest; metrics: Metrics },
  organizationId: string,
  input: EmitEventInput,
  trace?: TraceContext,
): Promise<{ event: Event; deliveryIds: string[]; replayed: boolean }> {
  const payload = validatePayload(input.type, input.payload);
  const ingested = await deps.ingest(
    {
      organizationId,
      agentId: input.agentId,
      type: input.type,
      payload: payload.data,
      idempotencyKey: input.idempotencyKey ?? null,
      payloadBytes: payload.bytes,
    },
    trace,
  );
  if (!ingested.replayed) deps.metrics.eventsIngested.inc({ type: input.type });
  return { ...ingested, event: toEvent(ingested.event) };
}

/** Sends the catalog's example of a type to one webhook, whether or not an agent is attached. */
export async function sendTestEvent(
  { transactions, fanOut }: Queueing,
  organizationId: string,
  input: { webhookId: string; type: EventTypeName },
): Promise<Delivery> {
  return transactions(async (trx, outbox) => {
    const webhook = await requireWebhook(trx, organizationId, input.webhookId);
    if (isOperationalEventType(input.type) !== webhook.operational) {
      throw new BadUserInputError([
        {
          field: 'type',
          message: webhook.operational
            ? 'must be an operational event type: this is the operational endpoint'
            : 'is an operational event type: only the operational endpoint gets those',
        },
      ]);
    }
    if (!webhook.enabled)
      throw new ConflictError(`Webhook ${webhook.id} is disabled: enable it first`);
    const event = await eventsRepository.insertEvent(trx, {
      id: newId('Event'),
      organization_id: organizationId,
      agent_id: null,
      type: input.type,
      payload: getEventType(input.type).example,
      idempotency_key: null,
    });
    const created = await insertDeliveriesToWebhooks(trx, { id: event.id, organizationId }, [
      input.webhookId,
    ]);
    await fanOut.queueNew(
      trx,
      outbox,
      created.map((d) => ({ ...d, organizationId })),
    );
    return (await getDelivery(trx, organizationId, created[0]!.id))!;
  });
}

export async function getEvent(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Event | undefined> {
  const row = await eventsRepository.findEvent(db, organizationId, id);
  return row && toEvent(row);
}

export async function listEvents(
  db: Db,
  organizationId: string,
  filter: { agentId?: string | null; type?: EventTypeName | null },
  page: PageRequest,
): Promise<Event[]> {
  return (await eventsRepository.listEventRows(db, organizationId, filter, page)).map(toEvent);
}

/** The events of these ids, in the same order; null where one is unknown or another tenant's. */
export async function getEventsByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<(Event | null)[]> {
  return inOrderOf(ids, await eventsRepository.findEventsByIds(db, organizationId, ids), toEvent);
}

/**
 * Erases a call: its events of this organization, with their deliveries (pending ones are
 * cancelled by going: their queued jobs find nothing and end), every attempt (response bodies
 * included) and its call setup. How a customer honours an erasure request; returns how many
 * events went.
 */
export async function purgeCall(
  { transactions }: Pick<Queueing, 'transactions'>,
  organizationId: string,
  callId: string,
): Promise<number> {
  return transactions((trx) => eventsRepository.deleteEventsOfCall(trx, organizationId, callId));
}
