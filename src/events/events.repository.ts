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

/** The enabled, live webhooks that an agent's event of this type goes to. */
export async function findWebhooksSubscribedTo(
  db: Db,
  organizationId: string,
  agentId: string,
  type: string,
): Promise<{ id: string }[]> {
  return db
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('webhooks as w', 'w.id', 's.webhook_id')
    .select('w.id')
    .where('s.organization_id', '=', organizationId)
    .where('s.agent_id', '=', agentId)
    .where((eb) => eb(eb.val(type), '=', eb.fn.any('s.events')))
    .where('w.enabled', '=', true)
    .where('w.deleted_at', 'is', null)
    .orderBy('w.id')
    .execute();
}
