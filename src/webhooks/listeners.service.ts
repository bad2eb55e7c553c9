import type { Kysely } from 'kysely';
import { listAgents, requireAgent } from '../agents/agents.service.ts';
import type { Database, Db } from '../db/database.ts';
import {
  EVENT_TYPE_NAMES,
  type EventTypeName,
  isOperationalEventType,
} from '../event-types/event-types.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import { BadUserInputError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Keyring } from '../shared/keyring.ts';
import * as listeners from './listeners.repository.ts';
import type { ListenerExchangeRow } from './listeners.table.ts';
import * as subscriptionsRepository from './subscriptions.repository.ts';
import type { Webhook } from './webhook.ts';
import * as webhooksRepository from './webhooks.repository.ts';
import { createWebhook, requireWebhook, setWebhookEnabled } from './webhooks.service.ts';

/** The most agents a listener follows when none are named: every agent, up to this many. */
const MAX_AGENTS = 1_000;

/** A LISTENER webhook is found again by this URL: one per place a developer forwards to. */
export const listenerUrl = (forwardTo: string) => `hookline-listen:${forwardTo}`;

/**
 * The organization's LISTENER webhook for `forwardTo`, created the first time (with its own
 * sealed signing secret) and reused after, so that deliveries owed while no listener was
 * connected reach the next one. Its subscriptions become exactly these agents (every agent when
 * none are named) and events (every event type when none are named); a webhook Hookline
 * disabled while nobody listened is enabled again.
 */
export async function startListenerWebhook(
  transactions: Transactions,
  keyring: Keyring,
  organizationId: string,
  input: {
    forwardTo: string;
    agentIds?: readonly string[] | null;
    events?: readonly EventTypeName[] | null;
  },
): Promise<Webhook> {
  const events = input.events?.length
    ? [...new Set(input.events)]
    : EVENT_TYPE_NAMES.filter((name) => !isOperationalEventType(name));
  if (events.some(isOperationalEventType)) {
    throw new BadUserInputError([
      { field: 'events', message: 'must not name operational event types: Hookline raises them' },
    ]);
  }
  return transactions(async (trx) => {
    const agentIds = input.agentIds?.length
      ? await Promise.all(
          [...new Set(input.agentIds)].map(
            async (id) => (await requireAgent(trx, organizationId, id)).id,
          ),
        )
      : (await listAgents(trx, organizationId, { limit: MAX_AGENTS, inverted: false })).map(
          (agent) => agent.id,
        );
    const url = listenerUrl(input.forwardTo);
    const existing = await webhooksRepository.findListenerWebhook(trx, organizationId, url);
    let webhook = existing
      ? await requireWebhook(trx, organizationId, existing.id)
      : await createWebhook(trx, keyring, organizationId, {
          url,
          kind: 'LISTENER',
          description: 'hookline listen',
        });
    if (!webhook.enabled) webhook = await setWebhookEnabled(trx, organizationId, webhook.id, true);
    await subscriptionsRepository.deleteSubscriptionsOfWebhook(trx, organizationId, webhook.id);
    for (const agentId of agentIds) {
      await subscriptionsRepository.upsertSubscription(trx, {
        id: newId('WebhookSubscription'),
        organization_id: organizationId,
        webhook_id: webhook.id,
        agent_id: agentId,
        events: [...events],
        responds_to_call_setup: false,
      });
    }
    return webhook;
  });
}

/** A LISTENER webhook of the organization, or the caller's mistake. */
export async function requireListenerWebhook(
  db: Db,
  organizationId: string,
  webhookId: string,
): Promise<Webhook> {
  const webhook = await requireWebhook(db, organizationId, webhookId);
  if (webhook.kind !== 'LISTENER') {
    throw new BadUserInputError([
      {
        field: 'webhookId',
        message: 'is an HTTP webhook: only LISTENER webhooks (startListener) are listened to',
      },
    ]);
  }
  return webhook;
}

/** The local server's answer, or why the listener could not reach it. */
export interface ListenerAnswer {
  status?: number | null;
  body?: string | null;
  error?: string | null;
}

/** False when the request is unknown, expired or already answered. */
export async function answerListenerRequest(
  db: Kysely<Database>,
  notifier: Notifier,
  organizationId: string,
  requestId: string,
  answer: ListenerAnswer,
  maxBodyChars: number,
): Promise<boolean> {
  const answered = await listeners.answerListenerExchange(db, organizationId, requestId, {
    response_status: answer.error ? null : (answer.status ?? null),
    response_body: answer.body?.slice(0, maxBodyChars) ?? null,
    error: answer.error ?? null,
  });
  if (!answered) return false;
  await notifier.publish(db, {
    listener: [{ kind: 'answer', webhookId: answered.webhook_id, exchangeId: requestId }],
  });
  return true;
}

export type ListenerRequestRow = ListenerExchangeRow;
