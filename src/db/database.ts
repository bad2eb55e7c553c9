import type { Kysely, Transaction } from 'kysely';
import type { AgentsTable } from '../agents/agents.table.ts';
import type { ApiKeysTable, OrganizationsTable } from '../auth/auth.table.ts';
import type { PortalSessionsTable } from '../auth/portal-sessions.table.ts';
import type { CallSetupsTable } from '../call-setup/call-setups.table.ts';
import type { DeliveriesTable, DeliveryAttemptsTable } from '../deliveries/deliveries.table.ts';
import type { EventsTable } from '../events/events.table.ts';
import type { ListenerExchangesTable, ListenerSessionsTable } from '../webhooks/listeners.table.ts';
import type {
  EndpointRateSlotsTable,
  WebhookSubscriptionsTable,
  WebhooksTable,
} from '../webhooks/webhooks.table.ts';

export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  agents: AgentsTable;
  webhooks: WebhooksTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  endpoint_rate_slots: EndpointRateSlotsTable;
  portal_sessions: PortalSessionsTable;
  call_setups: CallSetupsTable;
  listener_sessions: ListenerSessionsTable;
  listener_exchanges: ListenerExchangesTable;
}

/** What repository functions accept: the caller decides whether it is inside a transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
