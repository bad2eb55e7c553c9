import { type Context, ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import { CommitOutcomeUnknownError } from '../db/transactions.ts';
import type { FanOut, Queueing } from '../deliveries/fan-out/fan-out.ts';
import type { EventTypeName } from '../event-types/event-types.ts';
import type { NoticeOutbox } from '../pubsub/transactions.ts';
import { canonicalJson } from '../shared/canonical-json.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { createGroupCommit, type ItemOutcome } from '../shared/group-commit.ts';
import { newId } from '../shared/ids.ts';
import { storedTraceparent } from '../telemetry/trace-context.ts';
import { tracingOff } from '../telemetry/tracing.ts';
import { findEventsByIdempotencyKeys, type NewEventRow, storeEvents } from './events.repository.ts';
import type { EventRow } from './events.table.ts';
import { type TracedEmit, traceBatch, traceEmit } from './ingest-spans.ts';

/** An event to store, its payload already validated. */
export interface IngestRequest extends TracedEmit {
  organizationId: string;
  agentId: string;
  type: EventTypeName;
  payload: Record<string, unknown>;
  idempotencyKey: string | null;
  /** The payload's size in bytes, to keep batches within a reasonable statement size. */
  payloadBytes: number;
  /**
   * A call setup's event: its agent's call-setup responder is asked inline (src/call-setup), so
   * the fan-out leaves that one subscription out.
   */
  skipResponder?: boolean;
}

export interface Ingested {
  event: EventRow;
  /** The ids of its deliveries (none when replayed). */
  deliveryIds: string[];
  /** True when the idempotency key was used before: `event` is that first event. */
  replayed: boolean;
}

/** `parent`: the trace the emit belongs to (its GraphQL operation's span), when traced. */
export type EventIngest = (request: IngestRequest, parent?: Context) => Promise<Ingested>;

const MAX_BATCH_EVENTS = 200;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Stores events and fans them out, group-committed: the emits that arrive while one transaction
 * is being written share the next one (event rows, deliveries, their jobs and the workers'
 * wake-up: four round trips for the whole batch, whatever its size). Every caller still learns
 * its own outcome: its event, or the event its idempotency key first created (CONFLICT if that
 * was a different request), or NOT_FOUND for an unknown agent.
 */
export function createEventIngest({
  transactions,
  fanOut,
  tracer = tracingOff().tracer,
}: Queueing & { tracer?: Tracer }): EventIngest {
  // Each transaction in its span (ingest-spans.ts), when any of its emits is traced.
  const writeBatch = (requests: readonly IngestRequest[]) =>
    traceBatch(tracer, requests, () =>
      transactions((trx, outbox) => ingestBatch(trx, outbox, fanOut, requests)),
    );
  const ingest = createGroupCommit<IngestRequest, Ingested>({
    maxItems: MAX_BATCH_EVENTS,
    maxWeight: MAX_BATCH_BYTES,
    weigh: (request) => request.payloadBytes,
    async write(requests) {
      try {
        return await writeBatch(requests);
      } catch (error) {
        // A batch that may have committed is not tried again: its events would be stored twice.
        if (requests.length === 1 || error instanceof CommitOutcomeUnknownError) throw error;
        // Whatever failed the batch must not fail its neighbours: each is tried again alone.
        return Promise.all(
          requests.map((request) =>
            writeBatch([request])
              .then(([outcome]) => outcome!)
              .catch((alone: unknown): ItemOutcome<Ingested> => ({ ok: false, error: alone })),
          ),
        );
      }
    },
  });
  return (request, parent = ROOT_CONTEXT) => traceEmit(tracer, request, parent, ingest);
}

/** One transaction's worth: stores the batch, finds the replays, creates the deliveries. */
export async function ingestBatch(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  fanOut: FanOut,
  requests: readonly IngestRequest[],
): Promise<ItemOutcome<Ingested>[]> {
  const rows: NewEventRow[] = requests.map((request) => ({
    id: newId('Event'),
    organization_id: request.organizationId,
    agent_id: request.agentId,
    type: request.type,
    payload: request.payload,
    idempotency_key: request.idempotencyKey,
    traceparent: request.span ? storedTraceparent(request.span) : null,
    call_id: callIdOf(request.payload),
    skip_responder: request.skipResponder === true,
  }));
  const stored = await storeEvents(trx, rows);

  const replayKeys = requests.flatMap((request, i) =>
    stored[i]!.agentFound && !stored[i]!.createdAt && request.idempotencyKey
      ? [{ organizationId: request.organizationId, key: request.idempotencyKey }]
      : [],
  );
  const firstEvents = new Map(
    (await findEventsByIdempotencyKeys(trx, replayKeys)).map((event) => [
      keyOf(event.organization_id, event.idempotency_key),
      event,
    ]),
  );

  await fanOut.queueNew(
    trx,
    outbox,
    rows.flatMap((row, i) =>
      stored[i]!.deliveries.map(({ id, webhookId }) => ({
        id,
        webhookId,
        organizationId: row.organization_id,
      })),
    ),
  );

  return rows.map((row, i): ItemOutcome<Ingested> => {
    const { agentFound, createdAt } = stored[i]!;
    if (createdAt) {
      const { skip_responder: _, ...columns } = row;
      const event = { ...columns, created_at: createdAt };
      const deliveryIds = stored[i]!.deliveries.map((d) => d.id);
      return { ok: true, value: { event, deliveryIds, replayed: false } };
    }
    if (!agentFound) return { ok: false, error: new NotFoundError('Agent', row.agent_id) };
    const first = firstEvents.get(keyOf(row.organization_id, row.idempotency_key));
    if (first) return replayOf(first, row);
    return { ok: false, error: new Error(`event ${row.id} was neither stored nor a replay`) };
  });
}

/** Every event type's payload has a callId (test events, made elsewhere, have none). */
const callIdOf = (payload: Record<string, unknown>): string | null =>
  typeof payload.callId === 'string' ? payload.callId : null;

/**
 * A key used before means the event it first created: the same request again (same agent, type
 * and payload, whatever the order of the payload's keys) gets that event back; a different one
 * gets CONFLICT naming it, as Stripe answers a reused key, rather than a silent wrong answer.
 */
function replayOf(first: EventRow, row: NewEventRow): ItemOutcome<Ingested> {
  const differs = [
    first.agent_id !== row.agent_id && 'agentId',
    first.type !== row.type && 'type',
    canonicalJson(first.payload) !== canonicalJson(row.payload) && 'payload',
  ].filter((field) => field !== false);
  if (differs.length === 0) {
    return { ok: true, value: { event: first, deliveryIds: [], replayed: true } };
  }
  const error = new ConflictError(
    `The idempotency key was first used for event ${first.id}, with another ${differs.join(', ')}: a different event needs a new key`,
    { eventId: first.id, differs },
  );
  return { ok: false, error };
}

const keyOf = (organizationId: string, idempotencyKey: string | null) =>
  `${organizationId} ${idempotencyKey}`;
