import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { WebhookSubscriptionRow } from './webhooks.table.ts';

export async function upsertSubscription(
  db: Db,
  row: {
    id: string;
    organization_id: string;
    webhook_id: string;
    agent_id: string;
    events: string[];
    responds_to_call_setup: boolean;
  },
): Promise<WebhookSubscriptionRow> {
  return db
    .insertInto('webhook_subscriptions')
    .values({ ...row, events: sql`${row.events}::text[]` as unknown as string[] })
    .onConflict((oc) =>
      oc.columns(['webhook_id', 'agent_id']).doUpdateSet({
        events: (eb) => eb.ref('excluded.events'),
        responds_to_call_setup: (eb) => eb.ref('excluded.responds_to_call_setup'),
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSubscription(
  db: Db,
  organizationId: string,
  webhookId: string,
  agentId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('webhook_subscriptions')
    .where('organization_id', '=', organizationId)
    .where('webhook_id', '=', webhookId)
    .where('agent_id', '=', agentId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteSubscriptionsOfWebhook(
  db: Db,
  organizationId: string,
  webhookId: string,
): Promise<void> {
  await db
    .deleteFrom('webhook_subscriptions')
    .where('organization_id', '=', organizationId)
    .where('webhook_id', '=', webhookId)
    .execute();
}

export async function listSubscriptionRows(
  db: Db,
  organizationId: string,
  of: { agentIds: readonly string[] } | { webhookIds: readonly string[] },
): Promise<WebhookSubscriptionRow[]> {
  const [column, ids] =
    'agentIds' in of
      ? (['agent_id', of.agentIds] as const)
      : (['webhook_id', of.webhookIds] as const);
  if (ids.length === 0) return [];
  return db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where(column, 'in', [...ids])
    .orderBy('id')
    .execute();
}

/** The webhook that answers this agent's call setups, other than `exceptWebhookId`, if any. */
export async function findResponderWebhookId(
  db: Db,
  organizationId: string,
  agentId: string,
  exceptWebhookId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select('webhook_id')
    .where('organization_id', '=', organizationId)
    .where('agent_id', '=', agentId)
    .where('responds_to_call_setup', '=', true)
    .where('webhook_id', '<>', exceptWebhookId)
    .executeTakeFirst();
  return row?.webhook_id;
}

/** The unique index that allows an agent one call-setup responder. */
export const ONE_RESPONDER_INDEX = 'webhook_subscriptions_one_responder';
