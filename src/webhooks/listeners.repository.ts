import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ListenerExchangeRow } from './listeners.table.ts';

export async function insertListenerSession(
  db: Db,
  row: { id: string; organization_id: string; webhook_id: string },
): Promise<void> {
  await db.insertInto('listener_sessions').values(row).execute();
}

export async function touchListenerSession(db: Db, id: string): Promise<void> {
  await db
    .updateTable('listener_sessions')
    .set({ seen_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function deleteListenerSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('listener_sessions').where('id', '=', id).execute();
}

/** A session seen within `freshSeconds` listens for the webhook now. */
export async function hasFreshListenerSession(
  db: Db,
  webhookId: string,
  freshSeconds: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('listener_sessions')
    .select('id')
    .where('webhook_id', '=', webhookId)
    .where('seen_at', '>', sql<Date>`now() - ${freshSeconds} * interval '1 second'`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertListenerExchange(
  db: Db,
  row: {
    id: string;
    organization_id: string;
    webhook_id: string;
    delivery_id: string;
    request_headers: Record<string, string>;
    body: string;
    expires_at: Date;
  },
): Promise<void> {
  await db
    .insertInto('listener_exchanges')
    .values({ ...row, request_headers: JSON.stringify(row.request_headers) })
    .execute();
}

/**
 * Takes unclaimed, unexpired requests of the webhook (these ids, or all), for one listener: two
 * listeners of one webhook never both get a request.
 */
export async function claimListenerExchanges(
  db: Db,
  webhookId: string,
  ids: readonly string[] | 'all',
): Promise<ListenerExchangeRow[]> {
  if (ids !== 'all' && ids.length === 0) return [];
  let query = db
    .updateTable('listener_exchanges')
    .set({ claimed_at: new Date() })
    .where('webhook_id', '=', webhookId)
    .where('claimed_at', 'is', null)
    .where('expires_at', '>', new Date());
  if (ids !== 'all') query = query.where('id', 'in', [...ids]);
  return query.returningAll().execute();
}

/** Records the listener's answer once; false when the request is unknown, expired or answered. */
export async function answerListenerExchange(
  db: Db,
  organizationId: string,
  id: string,
  answer: { response_status: number | null; response_body: string | null; error: string | null },
): Promise<{ webhook_id: string } | undefined> {
  return db
    .updateTable('listener_exchanges')
    .set({ ...answer, answered_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning('webhook_id')
    .executeTakeFirst();
}

export async function findListenerExchange(
  db: Db,
  id: string,
): Promise<ListenerExchangeRow | undefined> {
  return db.selectFrom('listener_exchanges').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deleteListenerExchange(db: Db, id: string): Promise<void> {
  await db.deleteFrom('listener_exchanges').where('id', '=', id).execute();
}
