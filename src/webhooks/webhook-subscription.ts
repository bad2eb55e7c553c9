import type { EventTypeName } from '../event-types/event-types.ts';
import type { WebhookSubscriptionRow } from './webhooks.table.ts';

export interface WebhookSubscription {
  id: string;
  organizationId: string;
  webhookId: string;
  agentId: string;
  events: EventTypeName[];
  /** This webhook answers the agent's call setups (src/call-setup). */
  respondsToCallSetup: boolean;
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
    respondsToCallSetup: row.responds_to_call_setup,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
