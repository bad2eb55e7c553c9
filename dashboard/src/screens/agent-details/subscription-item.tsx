import { useState } from 'preact/hooks';
import { DashboardDetachWebhookDocument } from '../../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../../context.ts';
import { useAction } from '../../hooks.ts';
import { EnabledBadge, EventChips } from '../../ui/badges.tsx';
import { CheckboxField } from '../../ui/fields.tsx';
import { SubmitButton, submitting } from '../../ui/forms.tsx';
import { type Agent, attachWebhook, RESPONDER_HINT, RESPONDER_LABEL } from './agent.ts';
import { EventsField } from './events-field.tsx';

type Subscription = Agent['subscriptions'][number];

/**
 * One attached webhook: its events and whether it answers call setups, changed in place, and a
 * detach button. `canRespond`: no other webhook of the agent answers its call setups.
 */
export function SubscriptionItem({
  agentId,
  subscription,
  canRespond,
  onChanged,
}: {
  agentId: string;
  subscription: Subscription;
  canRespond: boolean;
  onChanged: () => void;
}) {
  const { api, notify, confirm, eventTypes, canManage } = useSession();
  const [events, setEvents] = useState<string[]>(subscription.events);
  const [respondsToCallSetup, setResponds] = useState(subscription.respondsToCallSetup);
  const save = useAction();
  const detach = useAction();
  const changed =
    respondsToCallSetup !== subscription.respondsToCallSetup ||
    events.length !== subscription.events.length ||
    events.some((e) => !(subscription.events as readonly string[]).includes(e));
  const webhook = subscription.webhook;

  const remove = async () => {
    const ok = await confirm({
      title: 'Detach this webhook?',
      body: `${webhook.url} stops receiving this agent's events. Deliveries already queued still go out.`,
      confirmLabel: 'Detach',
      danger: true,
    });
    if (!ok) return;
    const result = await detach.run(
      () =>
        api.request(DashboardDetachWebhookDocument, {
          input: { agentId, webhookId: webhook.id },
        }),
      { notifyErrors: true },
    );
    if (!result) return;
    notify('success', `Detached ${webhook.url}`);
    onChanged();
  };

  // Attaching again replaces the events of the subscription, and its responder flag.
  const saveEvents = submitting(
    save,
    () => attachWebhook(api, { agentId, webhookId: webhook.id, events, respondsToCallSetup }),
    (saved) => {
      const names = saved.events.map((t) => eventTypeLabel(eventTypes, t));
      notify('success', `${webhook.url} now gets ${names.join(', ')}`);
      onChanged();
    },
  );

  return (
    <li class="subscription" data-webhook-id={webhook.id}>
      <div class="page-header">
        <div>
          <a class="url" href={`#/webhooks/${webhook.id}`}>
            {webhook.url}
          </a>{' '}
          <EnabledBadge enabled={webhook.enabled} />{' '}
          {subscription.respondsToCallSetup && (
            <span class="badge badge-call-setup">Call-setup responder</span>
          )}
          {webhook.description && <p class="hint">{webhook.description}</p>}
        </div>
        {canManage && (
          <button
            type="button"
            class="button small danger-outline"
            disabled={detach.pending}
            onClick={() => void remove()}
          >
            Detach<span class="visually-hidden"> {webhook.url}</span>
          </button>
        )}
      </div>
      {!canManage ? (
        <EventChips events={subscription.events} eventTypes={eventTypes} />
      ) : (
        <form class="form" aria-label={`Events sent to ${webhook.url}`} onSubmit={saveEvents}>
          <EventsField legend="Events" value={events} onChange={setEvents} error={save.error} />
          {(canRespond || subscription.respondsToCallSetup) && (
            <CheckboxField
              label={RESPONDER_LABEL}
              hint={RESPONDER_HINT}
              name="respondsToCallSetup"
              checked={respondsToCallSetup}
              onChange={setResponds}
            />
          )}
          <div class="actions">
            <SubmitButton action={save} class="button small" disabled={!changed}>
              Save
            </SubmitButton>
            {changed && (
              <button
                type="button"
                class="button small ghost"
                onClick={() => {
                  setEvents(subscription.events);
                  setResponds(subscription.respondsToCallSetup);
                  save.clearError();
                }}
              >
                Undo changes
              </button>
            )}
          </div>
        </form>
      )}
    </li>
  );
}
