import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { newDeliveryIdSql } from './delivery-ids.ts';

export interface NewOperationalEvent {
  id: string;
  organizationId: string;
  /** A catalog name of an operational type (event-types/operational-event-types.ts). */
  type: string;
  payload: Record<string, unknown>;
  /** The webhook it is about: never sent to itself, when that is the operational endpoint. */
  aboutWebhookId: string;
}

/**
 * Stores operational events and one delivery each to their organization's operational endpoint,
 * in one statement, waiting for admission like any new delivery (fan-out.ts queues them). An
 * organization without an enabled operational endpoint stores nothing; nor does an event about
 * the operational endpoint itself (its own failures would otherwise feed it forever).
 */
export async function insertOperationalDeliveries(
  db: Db,
  events: readonly NewOperationalEvent[],
): Promise<{ id: string; organizationId: string; webhookId: string }[]> {
  if (events.length === 0) return [];
  const input = JSON.stringify(
    events.map((e, ord) => ({
      ord,
      id: e.id,
      organization_id: e.organizationId,
      type: e.type,
      payload: e.payload,
      about: e.aboutWebhookId,
    })),
  );
  const { rows } = await sql<{ id: string; organization_id: string; webhook_id: string }>`
    /* insertOperationalDeliveries */
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as t(
        ord int, id text, organization_id text, type text, payload jsonb, about text)
    ), target as (
      select i.ord, w.id as webhook_id from input i
      join webhooks w on w.organization_id = i.organization_id and w.operational
        and w.enabled and w.deleted_at is null and w.id <> i.about
    ), inserted as (
      insert into events (id, organization_id, agent_id, type, payload)
      select i.id, i.organization_id, null, i.type, i.payload
      from input i join target t on t.ord = i.ord
      order by i.ord
      returning id, organization_id, created_at
    )
    insert into deliveries (id, organization_id, event_id, webhook_id, status, next_attempt_at)
    select ${newDeliveryIdSql(sql.ref('e.id'))}, e.organization_id, e.id, t.webhook_id, 'PENDING', e.created_at
    from inserted e join input i on i.id = e.id join target t on t.ord = i.ord
    order by i.ord
    returning id, organization_id, webhook_id`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    webhookId: row.webhook_id,
  }));
}
