import {
  DashboardDeleteWebhookDocument,
  DashboardToggleWebhookDocument,
} from '../../generated/graphql.ts';
import type { Api } from '../api.ts';
import type { Session } from '../context.ts';

/** Enables a disabled webhook or disables an enabled one; resolves to its changed fields. */
export async function toggleWebhook(api: Api, webhook: { id: string; enabled: boolean }) {
  const result = await api.request(DashboardToggleWebhookDocument, {
    input: { id: webhook.id, enabled: !webhook.enabled },
  });
  return result.toggleWebhook.webhook;
}

/** Asks the user whether to delete a webhook, saying what that does. */
export function confirmWebhookDeletion(
  confirm: Session['confirm'],
  webhook: { url: string },
): Promise<boolean> {
  return confirm({
    title: 'Delete this webhook?',
    body: `${webhook.url} stops receiving events at once, and pending deliveries to it are cancelled. This cannot be undone.`,
    confirmLabel: 'Delete webhook',
    danger: true,
  });
}

/** Deletes a webhook; resolves to its id. */
export async function deleteWebhook(api: Api, webhook: { id: string }): Promise<string> {
  const result = await api.request(DashboardDeleteWebhookDocument, { input: { id: webhook.id } });
  return result.deleteWebhook.deletedWebhookId;
}
