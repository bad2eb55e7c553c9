import { builder } from './builder.ts';
// Each domain's schema file registers its types and fields on the builder when imported.
import '../auth/auth.schema.ts';
import '../auth/operator-keys.schema.ts';
import '../auth/portal-sessions.schema.ts';
import '../agents/agents.schema.ts';
import '../webhooks/webhooks.schema.ts';
import '../webhooks/webhook-stats.schema.ts';
import '../webhooks/operational-webhook.schema.ts';
import '../webhooks/listeners.schema.ts';
import '../event-types/event-types.schema.ts';
import '../events/events.schema.ts';
import '../deliveries/deliveries.schema.ts';
import '../deliveries/deliveries.subscriptions.ts';
import '../call-setup/call-setup.schema.ts';

export const schema = builder.toSchema();
