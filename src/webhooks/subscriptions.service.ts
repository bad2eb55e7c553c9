import type { Kysely } from 'kysely';
import { requireAgent } from '../agents/agents.service.ts';
import type { Database, Db } from '../db/database.ts';
import { type EventTypeName, isOperationalEventType } from '../event-types/event-types.ts';
import { BadUserInputError, ConflictError, NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as subscriptionsRepository from './subscriptions.repository.ts';
import { toSubscription, type WebhookSubscription } from './webhook-subscription.ts';
import { requireWebhook } from './webhooks.service.ts';

/**
 * Attaching again replaces the event list and the responder flag: the caller states the whole
 * wish each time. An agent has at most one call-setup responder: a second is a CONFLICT. The
 * operational endpoint takes no agent, and no webhook takes operational event types: those only
 * Hookline raises, for the operational endpoint.
 */
export async function attachWebhook(
  db: Kysely<Database>,
  organizationId: string,
  input: {
    webhookId: string;
    agentId: string;
    events: readonly EventTypeName[];
    respondsToCallSetup?: boolean | null;
  },
): Promise<WebhookSubscription> {
  if (input.events.some(isOperationalEventType)) {
    throw new BadUserInputError([
      { field: 'events', message: 'must not name operational event types: Hookline raises them' },
    ]);
  }
  const respondsToCallSetup = input.respondsToCallSetup === true;
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
    // A call setup is answered within a deadline by a POST: a listener is not reached that way.
    if (respondsToCallSetup && webhook.kind === 'LISTENER') {
      throw new BadUserInputError([
        { field: 'respondsToCallSetup', message: 'a LISTENER webhook does not answer call setups' },
      ]);
    }
    if (respondsToCallSetup) {
      const other = await subscriptionsRepository.findResponderWebhookId(
        trx,
        organizationId,
        input.agentId,
        input.webhookId,
      );
      if (other) throw secondResponder(input.agentId, other);
    }
    try {
      const row = await subscriptionsRepository.upsertSubscription(trx, {
        id: newId('WebhookSubscription'),
        organization_id: organizationId,
        webhook_id: input.webhookId,
        agent_id: input.agentId,
        events: [...new Set(input.events)],
        responds_to_call_setup: respondsToCallSetup,
      });
      return toSubscription(row);
    } catch (error) {
      // Another attach made a responder between our check and our write.
      if (isUniqueViolation(error, subscriptionsRepository.ONE_RESPONDER_INDEX)) {
        throw secondResponder(input.agentId, 'another webhook');
      }
      throw error;
    }
  });
}

const secondResponder = (agentId: string, webhook: string) =>
  new ConflictError(
    `Agent ${agentId} already has a call-setup responder (${webhook}): attach that one with respondsToCallSetup: false, or detach it, first`,
  );

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === constraint;
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
