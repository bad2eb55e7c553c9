import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
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

export async function findEventByIdempotencyKey(
  db: Db,
  organizationId: string,
  key: string,
): Promise<EventRow | undefined> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
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

export interface StoredForAgent {
  /** False when the agent does not exist in this organization: nothing was written. */
  agentFound: boolean;
  /** Null when the idempotency key was already used: nothing was written. */
  event: EventRow | null;
  /** The enabled, live webhooks subscribed to this agent and type. */
  webhookIds: string[];
}

/**
 * The ingest hot path in one round trip: checks the agent belongs to the organization, stores
 * the event unless its idempotency key was used before, and finds the webhooks it goes to.
 */
export async function storeEventForAgent(
  db: Db,
  row: {
    id: string;
    organization_id: string;
    agent_id: string;
    type: string;
    payload: Record<string, unknown>;
    idempotency_key: string | null;
  },
): Promise<StoredForAgent> {
  const result = await sql<{
    agent_found: boolean;
    created_at: Date | null;
    webhook_ids: string[];
  }>`
    /* storeEventForAgent */
    with agent as (
      select id from agents where organization_id = ${row.organization_id} and id = ${row.agent_id}
    ), inserted as (
      insert into events (id, organization_id, agent_id, type, payload, idempotency_key)
      select ${row.id}, ${row.organization_id}, agent.id, ${row.type}, ${JSON.stringify(row.payload)}::jsonb,
             ${row.idempotency_key}
      from agent
      on conflict (organization_id, idempotency_key) do nothing
      returning created_at
    )
    select
      exists (select 1 from agent) as agent_found,
      (select created_at from inserted) as created_at,
      array(
        select w.id
        from webhook_subscriptions s
        join webhooks w on w.id = s.webhook_id
        where s.organization_id = ${row.organization_id}
          and s.agent_id = ${row.agent_id}
          and ${row.type} = any(s.events)
          and w.enabled and w.deleted_at is null
        order by w.id
      ) as webhook_ids`.execute(db);
  const found = result.rows[0]!;
  return {
    agentFound: found.agent_found,
    event: found.created_at ? { ...row, created_at: found.created_at } : null,
    webhookIds: found.webhook_ids,
  };
}
