import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { newDeliveryIdSql } from './delivery-ids.ts';

/**
 * Deliveries are created by these two statements only, both waiting for admission (fan-out.ts
 * queues them). Their ids are made in SQL (delivery-ids.ts).
 */

/**
 * The part of the ingest statement (events/events.repository.ts storeEvents) that creates one
 * delivery per enabled, live webhook subscribed to each inserted event's agent and type, but
 * none to the agent's call-setup responder for a call setup's event (it is asked inline, by
 * src/call-setup). `inserted` names a relation with the events' id, organization_id, agent_id,
 * type, call_id, created_at and skip_responder (true for a call setup's event).
 */
export function subscribedDeliveriesInsert(inserted: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    insert into deliveries (id, organization_id, event_id, webhook_id, status, next_attempt_at, call_id)
    select ${newDeliveryIdSql(sql.ref('e.id'))}, e.organization_id, e.id, w.id, 'PENDING', e.created_at, e.call_id
    from ${inserted} e
    join webhook_subscriptions s
      on s.organization_id = e.organization_id and s.agent_id = e.agent_id
      and e.type = any(s.events)
      and not (e.skip_responder and s.responds_to_call_setup)
    join webhooks w on w.id = s.webhook_id and w.enabled and w.deleted_at is null
    order by e.id, w.id
    returning id, event_id, webhook_id`;
}

/** Deliveries of one event to chosen webhooks (a test event): their ids, in webhook order. */
export async function insertDeliveriesToWebhooks(
  db: Db,
  event: { id: string; organizationId: string },
  webhookIds: readonly string[],
): Promise<{ id: string; webhookId: string }[]> {
  if (webhookIds.length === 0) return [];
  const { rows } = await sql<{ id: string; webhook_id: string }>`
    insert into deliveries (id, organization_id, event_id, webhook_id, status, next_attempt_at)
    select ${newDeliveryIdSql(sql.val(event.id))}, ${event.organizationId}, ${event.id}, w.id, 'PENDING', now()
    from unnest(${[...webhookIds]}::text[]) as w(id)
    order by w.id
    returning id, webhook_id`.execute(db);
  return rows.map((row) => ({ id: row.id, webhookId: row.webhook_id }));
}
