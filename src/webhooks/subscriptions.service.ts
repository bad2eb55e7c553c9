import type { Kysely } from 'kysely';
import { requireAgent } from '../agents/agents.service.ts';
import type { Database, Db } from '../db/database.ts';
import type { EventTypeName } from '../events/event-types.ts';
import { NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import {
  deleteSubscription,
  listSubscriptionRows,
  upsertSubscription,
} from './subscriptions.repository.ts';
import { requireWebhook } from './webhooks.service.ts';
import type { WebhookSubscriptionRow } from './webhooks.table.ts';

export interface WebhookSubscription {
  id: string;
  organizationId: string;
  webhookId: string;
  agentId: string;
  events: EventTypeName[];
  createdAt: Date;
  updatedAt: Date;
}

export function toSubscription(row: WebhookSubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    organizationId: row.organization_id,
    webhookId: row.webhook_id,
    agentId: row.agent_id,
    events: row.events as EventTypeName[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Attaching again replaces the event list: the caller states the whole wish each time. */
export async function attachWebhook(
  db: Kysely<Database>,
  organizationId: string,
  input: { webhookId: string; agentId: string; events: readonly EventTypeName[] },
): Promise<WebhookSubscription> {
  return db.transaction().execute(async (trx) => {
    await requireWebhook(trx, organizationId, input.webhookId);
    await requireAgent(trx, organizationId, input.agentId);
    const row = await upsertSubscription(trx, {
      id: newId('WebhookSubscription'),
      organization_id: organizationId,
      webhook_id: input.webhookId,
      agent_id: input.agentId,
      events: [...new Set(input.events)],
    });
    return toSubscription(row);
  });
}

export async function detachWebhook(
  db: Db,
  organizationId: string,
  input: { webhookId: string; agentId: string },
): Promise<void> {
  const removed = await deleteSubscription(db, organizationId, input.webhookId, input.agentId);
  if (!removed) {
    throw new NotFoundError(
      'Subscription of webhook to agent',
      `${input.webhookId}/${input.agentId}`,
    );
  }
}

export async function listSubscriptionsOfAgent(
  db: Db,
  organizationId: string,
  agentId: string,
): Promise<WebhookSubscription[]> {
  return (await listSubscriptionRows(db, organizationId, { agentId })).map(toSubscription);
}

export async function listSubscriptionsOfWebhook(
  db: Db,
  organizationId: string,
  webhookId: string,
): Promise<WebhookSubscription[]> {
  return (await listSubscriptionRows(db, organizationId, { webhookId })).map(toSubscription);
}
