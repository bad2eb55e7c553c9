import type { Kysely } from 'kysely';
import { requireAgent } from '../agents/agents.service.ts';
import type { Database, Db } from '../db/database.ts';
import { type EventTypeName, isOperationalEventType } from '../event-types/event-types.ts';
import { BadUserInputError, NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as subscriptionsRepository from './subscriptions.repository.ts';
import { toSubscription, type WebhookSubscription } from './webhook-subscription.ts';
import { requireWebhook } from './webhooks.service.ts';

/**
 * Attaching again replaces the event list: the caller states the whole wish each time. The
 * operational endpoint takes no agent, and no webhook takes operational event types: those only
 * Hookline raises, for the operational endpoint.
 */
export async function attachWebhook(
  db: Kysely<Database>,
  organizationId: string,
  input: { webhookId: string; agentId: string; events: readonly EventTypeName[] },
): Promise<WebhookSubscription> {
  if (input.events.some(isOperationalEventType)) {
    throw new BadUserInputError([
      { field: 'events', message: 'must not name operational event types: Hookline raises them' },
    ]);
  }
  return db.transaction().execute(async (trx) => {
    const webhook = await requireWebhook(trx, organizationId, input.webhookId);
    if (webhook.operational) {
      throw new BadUserInputError([
        {
          field: 'webhookId',
          message: 'is the operational endpoint: it receives operational events only',
        },
      ]);
    }
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
