import {
  type DashboardAgentQuery,
  DashboardAttachWebhookDocument,
  type EventType,
} from '../../../generated/graphql.ts';
import type { Api } from '../../api.ts';

/** The agent an agent's page shows. */
export type Agent = NonNullable<DashboardAgentQuery['agent']>;

/**
 * Sends an agent's events of these types to a webhook, which may also answer its call setups;
 * attaching again replaces both.
 */
export async function attachWebhook(
  api: Api,
  input: { agentId: string; webhookId: string; events: string[]; respondsToCallSetup: boolean },
) {
  const result = await api.request(DashboardAttachWebhookDocument, {
    // The events come from the catalog's checkboxes, so they are event types.
    input: { ...input, events: input.events as EventType[] },
  });
  return result.attachWebhook.subscription;
}

/** Whether another of the agent's webhooks answers its call setups (only one may). */
export function otherResponder(agent: Agent, webhookId: string | undefined): string | undefined {
  return agent.subscriptions.find((s) => s.respondsToCallSetup && s.webhook.id !== webhookId)
    ?.webhook.url;
}

export const RESPONDER_LABEL = 'Answers call setups';
export const RESPONDER_HINT =
  'requestCallSetup asks this webhook how to set up each call, and waits for its answer until the deadline (one webhook per agent).';
