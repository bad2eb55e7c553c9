import { useState } from 'preact/hooks';
import { useSession } from '../../context.ts';
import { useAction } from '../../hooks.ts';
import { CheckboxField, SelectField } from '../../ui/fields.tsx';
import { SubmitButton, submitting } from '../../ui/forms.tsx';
import { attachWebhook, RESPONDER_HINT, RESPONDER_LABEL } from './agent.ts';
import { EventsField } from './events-field.tsx';

/** Attaches one of the webhooks not yet attached, for the events ticked (all at first). */
export function AttachForm({
  agentId,
  webhooks,
  responder,
  onAttached,
}: {
  agentId: string;
  webhooks: { id: string; url: string; enabled: boolean }[];
  /** The URL of the webhook that answers this agent's call setups, if one does. */
  responder: string | undefined;
  onAttached: () => void;
}) {
  const { api, notify, eventTypes } = useSession();
  const [webhookId, setWebhookId] = useState(webhooks[0]?.id ?? '');
  const [events, setEvents] = useState<string[]>(eventTypes.map((t) => t.type));
  const [respondsToCallSetup, setResponds] = useState(false);
  const action = useAction();
  const selected = webhooks.some((w) => w.id === webhookId) ? webhookId : (webhooks[0]?.id ?? '');
  const attach = submitting(
    action,
    () => attachWebhook(api, { agentId, webhookId: selected, events, respondsToCallSetup }),
    () => {
      notify('success', `Attached ${webhooks.find((w) => w.id === selected)?.url ?? 'webhook'}`);
      onAttached();
    },
  );
  return (
    <form class="form" aria-labelledby="attach-title" onSubmit={attach}>
      <SelectField
        id="attach-webhook"
        label="Webhook"
        value={selected}
        choices={webhooks.map((w) => ({
          value: w.id,
          label: w.enabled ? w.url : `${w.url} (disabled)`,
        }))}
        onChange={setWebhookId}
      />
      <EventsField
        legend="Events to send"
        value={events}
        onChange={setEvents}
        error={action.error}
      />
      {!responder && (
        <CheckboxField
          label={RESPONDER_LABEL}
          hint={RESPONDER_HINT}
          name="respondsToCallSetup"
          checked={respondsToCallSetup}
          onChange={setResponds}
        />
      )}
      <div class="actions">
        <SubmitButton action={action} class="button primary" pendingLabel="Attaching…">
          Attach webhook
        </SubmitButton>
      </div>
    </form>
  );
}
