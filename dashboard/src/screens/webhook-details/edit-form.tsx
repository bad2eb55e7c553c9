import { useState } from 'preact/hooks';
import { DashboardUpdateWebhookDocument } from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';
import { settingsDraftOf, settingsToUpdate } from '../../endpoint-settings.ts';
import { useAction } from '../../hooks.ts';
import { FormError, SubmitButton, submitting } from '../../ui/forms.tsx';
import { SettingsFields, WebhookFields } from '../webhook-fields.tsx';
import type { Webhook } from './webhook.ts';

/**
 * The webhook's URL, description, ordering by call and delivery settings. Only the settings changed are sent, so
 * that one left alone keeps following the server's default.
 */
export function EditWebhookForm({
  webhook,
  onSaved,
}: {
  webhook: Webhook;
  onSaved: (webhook: Webhook) => void;
}) {
  const { api } = useSession();
  const [draft, setDraft] = useState({
    url: webhook.url,
    description: webhook.description,
    orderByCall: webhook.orderByCall,
  });
  const [initialSettings] = useState(() => settingsDraftOf(webhook));
  const [settings, setSettings] = useState(initialSettings);
  const action = useAction();
  return (
    <form
      class="form inset"
      aria-label="Edit webhook"
      onSubmit={submitting(
        action,
        () =>
          api.request(DashboardUpdateWebhookDocument, {
            input: {
              id: webhook.id,
              url: draft.url.trim(),
              description: draft.description.trim(),
              orderByCall: draft.orderByCall,
              ...settingsToUpdate(settings, initialSettings),
            },
          }),
        (result) => onSaved(result.updateWebhook.webhook),
      )}
    >
      <WebhookFields draft={draft} onChange={setDraft} error={action.error} />
      <fieldset class="group">
        <legend>Delivery settings</legend>
        <SettingsFields draft={settings} onChange={setSettings} error={action.error} />
      </fieldset>
      <FormError error={action.error} />
      <div class="actions">
        <SubmitButton action={action} class="button primary">
          Save
        </SubmitButton>
      </div>
    </form>
  );
}
