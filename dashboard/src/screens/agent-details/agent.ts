import {
  type DashboardAgentQuery,
  DashboardAttachWebhookDocument,
  type EventType,
} from '../../../generated/graphql.ts';
import type { Api } from '../../api.ts';

/** The agent an agent's page shows. */
export type Agent = NonNullable<DashboardAgentQuery['agent']>;

/** Sends an agent's events of these types to a webhook; attaching again replaces the types. */
export async function attachWebhook(
  api: Api,
  input: { agentId: string; webhookId: string; events: string[] },
) {
  const result = await api.request(DashboardAttachWebhookDocument, {
    // The events come from the catalog's checkboxes, so they are event types.
    input: { ...input, events: input.events as EventType[] },
  });
  return result.attachWebhook.subscription;
}
