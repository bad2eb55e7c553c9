import { type EventTypeName, getEventType } from '../../event-types/event-types.ts';

export interface MessageSource {
  type: EventTypeName;
  agentId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * The body every receiver gets, in the Standard Webhooks shape. `timestamp` is when the event
 * happened (it does not change across retries; the webhook-timestamp header does), and `data`
 * names the agent so one endpoint can serve many agents.
 */
export function buildMessage(event: MessageSource): string {
  return JSON.stringify({
    type: getEventType(event.type).wireName,
    timestamp: event.createdAt.toISOString(),
    data: { agentId: event.agentId, ...event.payload },
  });
}
