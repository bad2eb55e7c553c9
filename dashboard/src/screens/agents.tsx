import { useState } from 'preact/hooks';
import {
  DashboardAgentsDocument,
  type DashboardAgentsQuery,
  DashboardCreateAgentDocument,
} from '../../generated/graphql.ts';
import { useSession } from '../context.ts';
import { describeError } from '../errors.ts';
import { useAction, useDocumentTitle, useQuery } from '../hooks.ts';
import { EmptyState, ErrorMessage, Loading, TextField, Time } from '../ui.tsx';

type Row = DashboardAgentsQuery['agents']['edges'][number]['node'];

export function AgentsScreen() {
  useDocumentTitle('Agents');
  const { api, notify } = useSession();
  const query = useQuery(DashboardAgentsDocument, {});
  const [more, setMore] = useState<{
    rows: Row[];
    endCursor: string | null;
    hasNextPage: boolean;
  }>();
  const [name, setName] = useState('');
  const create = useAction();

  const firstPage = query.data?.agents;
  const rows = [...(firstPage?.edges.map((e) => e.node) ?? []), ...(more?.rows ?? [])];
  const pageInfo = more ?? firstPage?.pageInfo;

  const loadMore = async () => {
    if (!pageInfo?.endCursor) return;
    try {
      const data = await api.request(DashboardAgentsDocument, { after: pageInfo.endCursor });
      setMore({
        rows: [...(more?.rows ?? []), ...data.agents.edges.map((e) => e.node)],
        endCursor: data.agents.pageInfo.endCursor ?? null,
        hasNextPage: data.agents.pageInfo.hasNextPage,
      });
    } catch (error) {
      notify('error', describeError(error).message);
    }
  };

  return (
    <section aria-labelledby="agents-title">
      <div class="page-header">
        <h1 id="agents-title" tabIndex={-1}>
          Agents
        </h1>
      </div>
      <p class="lede">Your voice agents. Each sends its events to the webhooks attached to it.</p>
      <form
        class="card form inline-form"
        aria-label="New agent"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const result = await create.run(() =>
            api.request(DashboardCreateAgentDocument, { input: { name: name.trim() } }),
          );
          if (!result) {
            form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
            return;
          }
          const agent = result.createAgent.agent;
          query.setData((data) => ({
            agents: {
              ...data.agents,
              edges: [...data.agents.edges, { node: { ...agent, subscriptions: [] } }],
            },
          }));
          setName('');
          notify('success', `Created agent ${agent.name}`);
        }}
      >
        <TextField
          label="New agent's name"
          name="name"
          required
          value={name}
          onInput={setName}
          error={create.error?.fields.name}
        />
        <button type="submit" class="button primary" disabled={create.pending}>
          {create.pending ? 'Creating…' : 'Create agent'}
        </button>
        {create.error && !create.error.fields.name && <ErrorMessage error={create.error} />}
      </form>

      {query.error && !query.data ? (
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      ) : !query.data ? (
        <Loading what="agents" />
      ) : rows.length === 0 ? (
        <EmptyState>
          <p>No agents yet. Create one above, then attach webhooks to it.</p>
        </EmptyState>
      ) : (
        <>
          <table class="table responsive" data-testid="agents-table">
            <caption class="visually-hidden">Agents</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Webhooks</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((agent) => (
                <tr key={agent.id} data-agent-id={agent.id}>
                  <td data-label="Name">
                    <a href={`#/agents/${agent.id}`}>{agent.name}</a>
                  </td>
                  <td data-label="Webhooks">
                    {agent.subscriptions.length === 0 ? (
                      <span class="muted">None</span>
                    ) : (
                      <ul class="plain">
                        {agent.subscriptions.map((s) => (
                          <li key={s.webhook.id}>
                            <a class="url" href={`#/webhooks/${s.webhook.id}`}>
                              {s.webhook.url}
                            </a>
                            {!s.webhook.enabled && <span class="muted"> (disabled)</span>}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td data-label="Created">
                    <Time iso={agent.createdAt} dateOnly />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pageInfo?.hasNextPage && (
            <button type="button" class="button" onClick={() => void loadMore()}>
              Load more agents
            </button>
          )}
        </>
      )}
    </section>
  );
}
