import { DashboardAgentEventsDocument } from '../../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../../context.ts';
import { useQuery } from '../../hooks.ts';
import { pageOf } from '../../paging.ts';
import { Loaded } from '../../ui/feedback.tsx';
import { Card } from '../../ui/layout.tsx';
import { Table } from '../../ui/tables.tsx';
import { Time } from '../../ui/time.tsx';

/** The agent's most recent events, newest first. */
export function AgentEvents({ agentId }: { agentId: string }) {
  const { eventTypes } = useSession();
  const query = useQuery(DashboardAgentEventsDocument, { agentId });
  const events = pageOf(query.data?.events, 'backward').rows;
  return (
    <Card
      id="events"
      title="Recent events"
      actions={
        <button type="button" class="button small" onClick={() => void query.reload()}>
          Refresh
        </button>
      }
    >
      <Loaded
        query={query}
        data={query.data}
        what="events"
        empty={events.length === 0 && <p>This agent has not emitted any event yet.</p>}
      >
        {() => (
          <Table
            caption="The agent's most recent events"
            rows={events}
            rowKey={(event) => event.id}
            columns={[
              { label: 'Type', cell: (event) => eventTypeLabel(eventTypes, event.type) },
              { label: 'Event', cell: (event) => <code>{event.id}</code> },
              { label: 'When', cell: (event) => <Time iso={event.createdAt} /> },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}
