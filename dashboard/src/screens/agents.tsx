import { useState } from 'preact/hooks';
import {
  DashboardAgentsDocument,
  type DashboardAgentsQuery,
  DashboardCreateAgentDocument,
} from '../../generated/graphql.ts';
import { useSession } from '../context.ts';
import { useAction, useDocumentTitle } from '../hooks.ts';
import { type ListLens, usePagedList } from '../paging.ts';
import { TextField } from '../ui/fields.tsx';
import { FormError, SubmitButton, submitting } from '../ui/forms.tsx';
import { CellList, type Column, PagedTable } from '../ui/tables.tsx';
import { Time } from '../ui/time.tsx';

type Row = DashboardAgentsQuery['agents']['edges'][number]['node'];

const AGENTS: ListLens<DashboardAgentsQuery, Row> = {
  get: (data) => data.agents,
  set: (data, edges) => ({ agents: { ...data.agents, edges } }),
};

const COLUMNS: Column<Row>[] = [
  { label: 'Name', cell: (agent) => <a href={`#/agents/${agent.id}`}>{agent.name}</a> },
  {
    label: 'Webhooks',
    cell: (agent) => (
      <CellList items={agent.subscriptions} itemKey={(s) => s.webhook.id}>
        {(s) => (
          <>
            <a class="url" href={`#/webhooks/${s.webhook.id}`}>
              {s.webhook.url}
            </a>
            {!s.webhook.enabled && <span class="muted"> (disabled)</span>}
          </>
        )}
      </CellList>
    ),
  },
  { label: 'Created', cell: (agent) => <Time iso={agent.createdAt} dateOnly /> },
];

export function AgentsScreen() {
  useDocumentTitle('Agents');
  const list = usePagedList(DashboardAgentsDocument, {}, 'forward', AGENTS);
  const { canManage } = useSession();
  return (
    <section aria-labelledby="agents-title">
      <div class="page-header">
        <h1 id="agents-title" tabIndex={-1}>
          Agents
        </h1>
      </div>
      <p class="lede">Your voice agents. Each sends its events to the webhooks attached to it.</p>
      {canManage && (
        <CreateAgentForm onCreated={(agent) => list.addRow({ ...agent, subscriptions: [] })} />
      )}
      <PagedTable
        list={list}
        what="agents"
        empty={<p>No agents yet. Create one above, then attach webhooks to it.</p>}
        loadMoreLabel="Load more agents"
        caption="Agents"
        columns={COLUMNS}
        rowKey={(agent) => agent.id}
        rowProps={(agent) => ({ 'data-agent-id': agent.id })}
        testId="agents-table"
      />
    </section>
  );
}

function CreateAgentForm({
  onCreated,
}: {
  onCreated: (agent: Omit<Row, 'subscriptions'>) => void;
}) {
  const { api, notify } = useSession();
  const [name, setName] = useState('');
  const action = useAction();
  const create = submitting(
    action,
    () => api.request(DashboardCreateAgentDocument, { input: { name: name.trim() } }),
    ({ createAgent: { agent } }) => {
      onCreated(agent);
      setName('');
      notify('success', `Created agent ${agent.name}`);
    },
  );
  return (
    <form class="card form inline-form" aria-label="New agent" onSubmit={create}>
      <TextField
        label="New agent's name"
        name="name"
        required
        value={name}
        onInput={setName}
        error={action.error?.fields.name}
      />
      <SubmitButton action={action} class="button primary" pendingLabel="Creating…">
        Create agent
      </SubmitButton>
      <FormError error={action.error} besides="name" />
    </form>
  );
}
