import { DashboardAgentDocument } from '../../../generated/graphql.ts';
import { useDocumentTitle, useQuery } from '../../hooks.ts';
import { ObjectPage } from '../../ui/layout.tsx';
import { Time } from '../../ui/time.tsx';
import { AgentEvents } from './events.tsx';
import { AgentWebhooks } from './webhooks.tsx';

/** An agent's page: its webhooks (attach, change, detach) or its recent events. */
export function AgentDetailsScreen({ id, tab }: { id: string; tab: 'webhooks' | 'events' }) {
  const query = useQuery(DashboardAgentDocument, { id });
  const agent = query.data?.agent;
  useDocumentTitle(agent ? agent.name : 'Agent');
  return (
    <ObjectPage
      query={query}
      object={agent}
      id={id}
      noun="agent"
      parent={{ href: '#/agents', label: 'Agents' }}
      name={(a) => a.name}
      titleId="agent-title"
    >
      {(agent) => (
        <>
          <div class="page-header">
            <div>
              <h1 id="agent-title" tabIndex={-1}>
                {agent.name}
              </h1>
              <p class="lede">
                <code>{agent.id}</code> · created <Time iso={agent.createdAt} />
              </p>
            </div>
            <a class="button" href={`#/live?agent=${encodeURIComponent(agent.id)}`}>
              Watch live
            </a>
          </div>
          <nav aria-label="Agent sections" class="subnav">
            <a
              class="nav-link"
              href={`#/agents/${agent.id}`}
              aria-current={tab === 'webhooks' ? 'page' : undefined}
            >
              Webhooks
            </a>
            <a
              class="nav-link"
              href={`#/agents/${agent.id}/events`}
              aria-current={tab === 'events' ? 'page' : undefined}
            >
              Recent events
            </a>
          </nav>
          {tab === 'webhooks' ? (
            <AgentWebhooks agent={agent} reload={() => void query.reload()} />
          ) : (
            <AgentEvents agentId={agent.id} />
          )}
        </>
      )}
    </ObjectPage>
  );
}
