import type { Kysely } from 'kysely';
import { requireAgent } from '../agents/agents.service.ts';
import type { Database, Db } from '../db/database.ts';
import type { EventTypeName } from '../event-types/event-types.ts';
import { NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as subscriptionsRepository from './subscriptions.repository.ts';
import { toSubscription, type WebhookSubscription } from './webhook-subscription.ts';
import { requireWebhook } from './webhooks.service.ts';

/** Attaching again replaces the event list: the caller states the whole wish each time. */
export async function attachWebhook(
  db: Kysely<Database>,
  organizationId: string,
  input: { webhookId: string; agentId: string; events: readonly EventTypeName[] },
): Promise<WebhookSubscription> {
  return db.transaction().execute(async (trx) => {
    await requireWebhook(trx, organizationId, input.webhookId);
    await requireAgent(trx, organizationId, input.agentId);
    const row = await subscriptionsRepository.upsertSubscription(trx, {
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
  const removed = await subscriptionsRepository.deleteSubscription(
    db,
    organizationId,
    input.webhookId,
    input.agentId,
  );
  if (!removed) {
    throw new NotFoundError(
      'Subscription of webhook to agent',
      `${input.webhookId}/${input.agentId}`,
    );
  }
}

/** The subscriptions of these agents, or of these webhooks: one query for a whole page. */
export async function listSubscriptionsOf(
  db: Db,
  organizationId: string,
  of: { agentIds: readonly string[] } | { webhookIds: readonly string[] },
): Promise<WebhookSubscription[]> {
  return (await subscriptionsRepository.listSubscriptionRows(db, organizationId, of)).map(
    toSubscription,
  );
}
