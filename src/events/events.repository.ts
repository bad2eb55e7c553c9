import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { subscribedDeliveriesInsert } from '../deliveries/fan-out/create-deliveries.repository.ts';
import { type PageRequest, paginateById } from '../shared/pagination.ts';
import type { EventRow } from './events.table.ts';

export async function insertEvent(
  db: Db,
  row: {
    id: string;
    organization_id: string;
    agent_id: string | null;
    type: string;
    payload: Record<string, unknown>;
    idempotency_key: string | null;
  },
): Promise<EventRow> {
  return db
    .insertInto('events')
    .values({ ...row, payload: JSON.stringify(row.payload) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findEvent(
  db: Db,
  organizationId: string,
  id: string,
): Promise<EventRow | undefined> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findEventsByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...ids])
    .execute();
}

export async function listEventRows(
  db: Db,
  organizationId: string,
  filter: { agentId?: string | null; type?: string | null },
  page: PageRequest,
): Promise<EventRow[]> {
  let query = db.selectFrom('events').selectAll().where('organization_id', '=', organizationId);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  if (filter.type) query = query.where('type', '=', filter.type);
  return paginateById(query, 'id', page).execute();
}

export interface NewEventRow {
  id: string;
  organization_id: string;
  agent_id: string;
  type: string;
  payload: Record<string, unknown>;
  idempotency_key: string | null;
  traceparent: string | null;
  call_id: string | null;
  /** Not stored: the fan-out leaves out the agent's call-setup responder (a call setup's event). */
  skip_responder: boolean;
}

export interface StoredEvent {
  /** False when the agent does not exist in this organization: nothing was written. */
  agentFound: boolean;
  /** When it was stored; null when nothing was stored (unknown agent, or a key used before). */
  createdAt: Date | null;
  /** Its new PENDING deliveries: one per enabled, live webhook subscribed to its agent and type. */
  deliveries: { id: string; webhookId: string }[];
}

/**
 * The ingest hot path: a whole batch of events, and their deliveries, in one statement. For each
 * row it checks the agent belongs to the organization, stores the event unless its idempotency
 * key was used before (earlier in the same batch included), and creates one delivery per webhook
 * subscribed to that agent and type (deliveries/fan-out/create-deliveries.repository.ts), waiting
 * for admission. One result per row, in order.
 */
export async function storeEvents(db: Db, rows: readonly NewEventRow[]): Promise<StoredEvent[]> {
  if (rows.length === 0) return [];
  const input = JSON.stringify(rows.map((row, ord) => ({ ...row, ord })));
  const result = await sql<{
    agent_found: boolean;
    created_at: Date | null;
    deliveries: [id: string, webhookId: string][];
  }>`
    /* storeEvents */
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as t(
        ord int, id text, organization_id text, agent_id text, type text, payload jsonb,
        idempotency_key text, traceparent text, call_id text, skip_responder boolean)
    ), valid as (
      select input.* from input
      join agents a on a.organization_id = input.organization_id and a.id = input.agent_id
    ), inserted as (
      insert into events (id, organization_id, agent_id, type, payload, idempotency_key, traceparent, call_id)
      select id, organization_id, agent_id, type, payload, idempotency_key, traceparent, call_id
      from valid order by ord
      on conflict (organization_id, idempotency_key) do nothing
      returning id, organization_id, agent_id, type, call_id, created_at
    ), new_deliveries as (${subscribedDeliveriesInsert(
      sql`(select inserted.*, valid.skip_responder from inserted join valid on valid.id = inserted.id)`,
    )}
    )
    select
      exists (select 1 from valid where valid.ord = input.ord) as agent_found,
      inserted.created_at,
      coalesce(
        (select json_agg(json_build_array(d.id, d.webhook_id) order by d.webhook_id)
         from new_deliveries d where d.event_id = input.id),
        '[]'
      ) as deliveries
    from input
    left join inserted on inserted.id = input.id
    order by input.ord`.execute(db);
  return result.rows.map((row) => ({
    agentFound: row.agent_found,
    createdAt: row.created_at,
    deliveries: row.deliveries.map(([id, webhookId]) => ({ id, webhookId })),
  }));
}

/** The events that first used these idempotency keys, in one query. */
export async function findEventsByIdempotencyKeys(
  db: Db,
  keys: readonly { organizationId: string; key: string }[],
): Promise<EventRow[]> {
  if (keys.length === 0) return [];
  const wanted = JSON.stringify(keys);
  const result = await sql<EventRow>`
    select e.*
    from events e
    join jsonb_to_recordset(${wanted}::jsonb) as k("organizationId" text, key text)
      on e.organization_id = k."organizationId" and e.idempotency_key = k.key`.execute(db);
  return result.rows;
}

/**
 * Deletes a call's events with everything that hangs off them (deliveries, their attempts,
 * call setups: on delete cascade). The deliveries are locked first, in id order, as the attempt
 * recorder locks them (deliveries/pipeline/record/insert-attempts.ts), so that an attempt in
 * flight meanwhile is dropped rather than failing its batch. Returns how many events went.
 */
export async function deleteEventsOfCall(
  db: Db,
  organizationId: string,
  callId: string,
): Promise<number> {
  await sql`
    select d.id from deliveries d
    join events e on e.id = d.event_id
    where e.organization_id = ${organizationId} and e.call_id = ${callId}
    order by d.id
    for update of d`.execute(db);
  const result = await db
    .deleteFrom('events')
    .where('organization_id', '=', organizationId)
    .where('call_id', '=', callId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
