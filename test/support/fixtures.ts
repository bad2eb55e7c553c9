import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  type EventType,
  type HooklineClient,
} from '@hookline/client';

/** An agent and a webhook of one organization, attached for the given events. */
export async function agentWithWebhook(
  client: HooklineClient,
  url: string,
  events: EventType[] = ['PRE_CONVERSATION', 'ANALYTICS_COMPLETED'],
): Promise<{ agentId: string; webhookId: string; signingSecret: string }> {
  const agent = (await client.request(CreateAgentDocument, { input: { name: 'Reception' } }))
    .createAgent.agent;
  const webhook = (
    await client.request(CreateWebhookDocument, { input: { url, description: 'test receiver' } })
  ).createWebhook.webhook;
  await client.request(AttachWebhookDocument, {
    input: { webhookId: webhook.id, agentId: agent.id, events },
  });
  return { agentId: agent.id, webhookId: webhook.id, signingSecret: webhook.signingSecret };
}

export const preConversation = (callId = 'call_1') => ({
  callId,
  callerPhoneNumber: '+14155550123',
  direction: 'inbound',
});

export const analyticsCompleted = (callId = 'call_1') => ({
  callId,
  durationSeconds: 42.5,
  transcript: [
    { role: 'agent', text: 'Hello, how can I help?', startSeconds: 0 },
    { role: 'user', text: 'I would like to book a table.', startSeconds: 2.1 },
  ],
  metrics: { sentiment: 'positive' },
  variables: { partySize: 4 },
});
