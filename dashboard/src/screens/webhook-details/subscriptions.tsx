import { useSession } from '../../context.ts';
import { EventChips } from '../../ui/badges.tsx';
import { EmptyState } from '../../ui/feedback.tsx';
import { Card } from '../../ui/layout.tsx';
import { type Column, Table } from '../../ui/tables.tsx';
import { Time } from '../../ui/time.tsx';
import type { Webhook } from './webhook.ts';

type Subscription = Webhook['subscriptions'][number];

/** Which agents send which events to this webhook. */
export function Subscriptions({ webhook }: { webhook: Webhook }) {
  const { eventTypes } = useSession();
  const columns: Column<Subscription>[] = [
    { label: 'Agent', cell: (s) => <a href={`#/agents/${s.agent.id}`}>{s.agent.name}</a> },
    {
      label: 'Events',
      cell: (s) => (
        <>
          <EventChips events={s.events} eventTypes={eventTypes} />
          {s.respondsToCallSetup && (
            <span class="badge badge-call-setup">Call-setup responder</span>
          )}
        </>
      ),
    },
    { label: 'Since', cell: (s) => <Time iso={s.createdAt} /> },
  ];
  return (
    <Card id="subscriptions" title="Subscriptions">
      {webhook.subscriptions.length === 0 ? (
        <EmptyState>
          <p>
            No agent sends events here yet. Attach this webhook from an{' '}
            <a href="#/agents">agent's page</a>.
          </p>
        </EmptyState>
      ) : (
        <Table
          caption="Agents that send events to this webhook"
          columns={columns}
          rows={webhook.subscriptions}
          rowKey={(s) => s.agent.id}
        />
      )}
    </Card>
  );
}
