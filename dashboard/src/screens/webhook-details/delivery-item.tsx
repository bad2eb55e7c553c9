import { useState } from 'preact/hooks';
import {
  type DashboardAttemptFragment,
  type DashboardDeliveryFragment,
  DashboardRedeliverDocument,
} from '../../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../../context.ts';
import { formatDuration } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { AttemptResult, CallSetupBadge, DeliveryBadge } from '../../ui/badges.tsx';
import { type Column, None, Table } from '../../ui/tables.tsx';
import { Time } from '../../ui/time.tsx';

/** One delivery: its summary, a redeliver button, and its attempts when opened. */
export function DeliveryItem({
  delivery,
  webhookEnabled,
  onRedelivered,
}: {
  delivery: DashboardDeliveryFragment;
  webhookEnabled: boolean;
  onRedelivered: () => void;
}) {
  const { api, notify, eventTypes, canManage } = useSession();
  const [open, setOpen] = useState(false);
  const action = useAction();
  const last = delivery.attempts[delivery.attempts.length - 1];
  const panelId = `attempts-${delivery.id}`;
  // Still Hookline's to send: a redelivery would only be refused.
  const unfinished = delivery.status === 'PENDING' || delivery.status === 'HELD';
  const redeliver = async () => {
    const result = await action.run(
      () => api.request(DashboardRedeliverDocument, { input: { deliveryId: delivery.id } }),
      { notifyErrors: true },
    );
    if (!result) return;
    notify('success', `Delivery ${delivery.id} started again`);
    onRedelivered();
  };
  return (
    <li
      class="delivery"
      data-delivery-id={delivery.id}
      data-status={delivery.status}
      data-kind={delivery.kind}
    >
      <div class="delivery-summary">
        <button
          type="button"
          class="disclosure"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          <span class="visually-hidden">{open ? 'Hide' : 'Show'} attempts of </span>
          <DeliveryBadge status={delivery.status} />
          <CallSetupBadge kind={delivery.kind} />
          <span class="event-type">{eventTypeLabel(eventTypes, delivery.event.type)}</span>
          <span class="muted">{delivery.event.agent?.name ?? 'test event'}</span>
          <Time iso={delivery.createdAt} />
          <span class="muted">
            {delivery.attemptCount} {delivery.attemptCount === 1 ? 'attempt' : 'attempts'}
          </span>
          {last && (
            <AttemptResult responseStatus={last.responseStatus} errorKind={last.errorKind} />
          )}
        </button>
        {/* A call setup is over with its call: it is never sent again. */}
        {!unfinished && canManage && delivery.kind !== 'CALL_SETUP' && (
          <button
            type="button"
            class="button small"
            disabled={action.pending || !webhookEnabled}
            title={webhookEnabled ? undefined : 'Enable the webhook to redeliver'}
            onClick={() => void redeliver()}
          >
            Redeliver<span class="visually-hidden"> {delivery.id}</span>
          </button>
        )}
      </div>
      {delivery.status === 'PENDING' && delivery.nextAttemptAt && (
        <p class="hint">
          Next attempt <Time iso={delivery.nextAttemptAt} />
        </p>
      )}
      {delivery.status === 'HELD' && (
        <p class="hint">Waiting for the circuit to close, without using up its retries</p>
      )}
      <div id={panelId} hidden={!open}>
        {open && (
          <>
            <p class="hint">
              Delivery <code>{delivery.id}</code> (the webhook-id header) of event{' '}
              <code>{delivery.event.id}</code>
            </p>
            {delivery.attempts.length === 0 ? (
              <p class="muted">No attempt yet.</p>
            ) : (
              <Table
                class="attempts"
                caption={`Attempts of delivery ${delivery.id}`}
                columns={ATTEMPT_COLUMNS}
                rows={delivery.attempts}
                rowKey={(attempt) => attempt.id}
              />
            )}
          </>
        )}
      </div>
    </li>
  );
}

const ATTEMPT_COLUMNS: Column<DashboardAttemptFragment>[] = [
  { label: '#', cell: (attempt) => attempt.attemptNumber },
  { label: 'Started', cell: (attempt) => <Time iso={attempt.startedAt} /> },
  {
    label: 'Result',
    cell: (attempt) => (
      <AttemptResult responseStatus={attempt.responseStatus} errorKind={attempt.errorKind} />
    ),
  },
  { label: 'Duration', cell: (attempt) => formatDuration(attempt.durationMs) },
  { label: 'Error', cell: (attempt) => attempt.error ?? <None /> },
  {
    label: 'Response body',
    cell: (attempt) =>
      attempt.responseBody ? <pre class="body">{attempt.responseBody}</pre> : <None text="Empty" />,
  },
];
