import { useState } from 'preact/hooks';
import {
  DashboardReplayFailedDeliveriesDocument,
  DashboardSendTestEventDocument,
  type EventType,
} from '../../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../../context.ts';
import { toDateTimeLocal } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { SelectField, TextField } from '../../ui/fields.tsx';
import { FormError, SubmitButton, submitting } from '../../ui/forms.tsx';

/** What a user can start on a webhook's deliveries: a test event, a replay of failures. */
export function DeliveryTools({
  webhookId,
  onStarted,
}: {
  webhookId: string;
  onStarted: () => void;
}) {
  return (
    <div class="tools">
      <TestEventForm webhookId={webhookId} onSent={onStarted} />
      <ReplayForm webhookId={webhookId} onReplayed={onStarted} />
    </div>
  );
}

function TestEventForm({ webhookId, onSent }: { webhookId: string; onSent: () => void }) {
  const { api, notify, eventTypes } = useSession();
  const [type, setType] = useState<EventType | undefined>(eventTypes[0]?.type);
  const action = useAction();
  const send = submitting(
    action,
    async () => type && api.request(DashboardSendTestEventDocument, { input: { webhookId, type } }),
    ({ sendTestEvent: { delivery } }) => {
      const name = eventTypeLabel(eventTypes, delivery.event.type);
      notify('success', `Test ${name} event queued as delivery ${delivery.id}`);
      onSent();
    },
  );
  return (
    <form class="inline-form" aria-label="Send a test event" onSubmit={send}>
      <SelectField
        id="test-event-type"
        label="Test event"
        value={type}
        choices={eventTypes.map((info) => ({ value: info.type, label: info.name }))}
        onChange={setType}
      />
      <SubmitButton action={action} class="button primary" pendingLabel="Sending…">
        Send test event
      </SubmitButton>
      <FormError error={action.error} />
    </form>
  );
}

function ReplayForm({ webhookId, onReplayed }: { webhookId: string; onReplayed: () => void }) {
  const { api, notify } = useSession();
  const [since, setSince] = useState(() => toDateTimeLocal(new Date(Date.now() - 24 * 3600_000)));
  const action = useAction();
  const replay = submitting(
    action,
    async () => {
      const moment = new Date(since);
      if (Number.isNaN(moment.getTime())) return undefined;
      return api.request(DashboardReplayFailedDeliveriesDocument, {
        input: { webhookId, since: moment.toISOString() },
      });
    },
    ({ replayFailedDeliveries: { count } }) => {
      notify(
        'success',
        count === 0
          ? 'No failed deliveries since then: nothing to replay.'
          : `${count} failed ${count === 1 ? 'delivery' : 'deliveries'} started again.`,
      );
      onReplayed();
    },
  );
  return (
    <form class="inline-form" aria-label="Replay failed deliveries" onSubmit={replay}>
      <TextField
        label="Replay failed deliveries since"
        type="datetime-local"
        required
        value={since}
        onInput={setSince}
        error={action.error?.fields.since}
      />
      <SubmitButton action={action} class="button" pendingLabel="Replaying…">
        Replay failed
      </SubmitButton>
      <FormError error={action.error} besides="since" />
    </form>
  );
}
