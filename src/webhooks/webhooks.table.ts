import type { Generated, Selectable } from 'kysely';

export interface WebhooksTable {
  id: string;
  organization_id: string;
  url: string;
  description: Generated<string>;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  signing_secret: string;
  previous_signing_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** Start of the current unbroken run of failed attempts; null after any success. */
  failing_since: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface WebhookSubscriptionsTable {
  id: string;
  organization_id: string;
  webhook_id: string;
  agent_id: string;
  /** GraphQL enum names of the subscribed event types. */
  events: string[];
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>;
