import { eventTypeLabel, useSession } from '../../context.ts';
import { formatDuration, formatTime } from '../../format.ts';
import { AttemptResult, CallSetupBadge, DeliveryBadge } from '../../ui/badges.tsx';
import { type Column, None, Table } from '../../ui/tables.tsx';
import type { Attempt } from './attempt-feed.ts';

/** The feed's attempts, newest first, each with its delivery, webhook, event and agent. */
export function AttemptsTable({ attempts }: { attempts: readonly Attempt[] }) {
  const { eventTypes } = useSession();
  const columns: Column<Attempt>[] = [
    {
      label: 'Time',
      cell: (attempt) => <time dateTime={attempt.startedAt}>{formatTime(attempt.startedAt)}</time>,
    },
    {
      label: 'Result',
      cell: (attempt) => (
        <AttemptResult responseStatus={attempt.responseStatus} errorKind={attempt.errorKind} />
      ),
    },
    {
      label: 'Delivery',
      cell: (attempt) => (
        <span>
          <DeliveryBadge status={attempt.delivery.status} />{' '}
          <CallSetupBadge kind={attempt.delivery.kind} />{' '}
          <span class="muted">attempt {attempt.attemptNumber}</span>
        </span>
      ),
    },
    {
      label: 'Webhook',
      cell: ({ delivery }) => (
        <a class="url" href={`#/webhooks/${delivery.webhook.id}`}>
          {delivery.webhook.url}
        </a>
      ),
    },
    { label: 'Event', cell: ({ delivery }) => eventTypeLabel(eventTypes, delivery.event.type) },
    {
      label: 'Agent',
      cell: ({ delivery }) =>
        delivery.event.agent ? (
          <a href={`#/agents/${delivery.event.agent.id}`}>{delivery.event.agent.name}</a>
        ) : (
          <None text="test event" />
        ),
    },
    { label: 'Duration', cell: (attempt) => formatDuration(attempt.durationMs) },
    { label: 'Error', cell: (attempt) => attempt.error ?? <None /> },
  ];
  return (
    <Table
      class="live-feed"
      testId="live-feed"
      caption="Delivery attempts, newest first"
      columns={columns}
      rows={attempts}
      rowKey={(attempt) => attempt.id}
      rowProps={(attempt) => ({
        class: 'fresh',
        'data-attempt-id': attempt.id,
        'data-webhook-id': attempt.delivery.webhook.id,
        'data-delivery-id': attempt.delivery.id,
      })}
    />
  );
}
