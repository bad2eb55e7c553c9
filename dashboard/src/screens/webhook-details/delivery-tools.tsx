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
import { FormError, submitting } from '../../ui/forms.tsx';

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
  const send = async () => {
    if (!type) return undefined;
    const result = await action.run(() =>
      api.request(DashboardSendTestEventDocument, { input: { webhookId, type } }),
    );
    if (!result) return undefined;
    notify(
      'success',
      `Test ${eventTypeLabel(eventTypes, type)} event queued as delivery ${result.sendTestEvent.delivery.id}`,
    );
    onSent();
    return result;
  };
  return (
    <form class="inline-form" aria-label="Send a test event" onSubmit={submitting(send)}>
      <SelectField
        id="test-event-type"
        label="Test event"
        value={type}
        choices={eventTypes.map((info) => ({ value: info.type, label: info.name }))}
        onChange={setType}
      />
      <button type="submit" class="button primary" disabled={action.pending}>
        {action.pending ? 'Sending…' : 'Send test event'}
      </button>
      <FormError error={action.error} />
    </form>
  );
}

function ReplayForm({ webhookId, onReplayed }: { webhookId: string; onReplayed: () => void }) {
  const { api, notify } = useSession();
  const [since, setSince] = useState(() => toDateTimeLocal(new Date(Date.now() - 24 * 3600_000)));
  const action = useAction();
  const replay = async () => {
    const moment = new Date(since);
    if (Number.isNaN(moment.getTime())) return undefined;
    const result = await action.run(() =>
      api.request(DashboardReplayFailedDeliveriesDocument, {
        input: { webhookId, since: moment.toISOString() },
      }),
    );
    if (!result) return undefined;
    const count = result.replayFailedDeliveries.count;
    notify(
      'success',
      count === 0
        ? 'No failed deliveries since then: nothing to replay.'
        : `${count} failed ${count === 1 ? 'delivery' : 'deliveries'} started again.`,
    );
    onReplayed();
    return result;
  };
  return (
    <form class="inline-form" aria-label="Replay failed deliveries" onSubmit={submitting(replay)}>
      <TextField
        label="Replay failed deliveries since"
        type="datetime-local"
        required
        value={since}
        onInput={setSince}
        error={action.error?.fields.since}
      />
      <button type="submit" class="button" disabled={action.pending}>
        {action.pending ? 'Replaying…' : 'Replay failed'}
      </button>
      <FormError error={action.error} besides="since" />
    </form>
  );
}
