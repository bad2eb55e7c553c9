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
  },
): Promise<WebhookSubscriptionRow> {
  return db
    .insertInto('webhook_subscriptions')
    .values({ ...row, events: sql`${row.events}::text[]` as unknown as string[] })
    .onConflict((oc) =>
      oc.columns(['webhook_id', 'agent_id']).doUpdateSet({
        events: (eb) => eb.ref('excluded.events'),
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
