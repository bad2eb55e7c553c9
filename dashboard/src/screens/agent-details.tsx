import { useState } from 'preact/hooks';
import {
  DashboardAgentDocument,
  DashboardAgentEventsDocument,
  type DashboardAgentQuery,
  DashboardAttachWebhookDocument,
  DashboardDetachWebhookDocument,
  DashboardWebhookChoicesDocument,
  type EventType,
} from '../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../context.ts';
import { useAction, useDocumentTitle, useQuery } from '../hooks.ts';
import { EmptyState, EnabledBadge, ErrorMessage, EventCheckboxes, Loading, Time } from '../ui.tsx';

type Agent = NonNullable<DashboardAgentQuery['agent']>;
type Subscription = Agent['subscriptions'][number];

export function AgentDetailsScreen({ id, tab }: { id: string; tab: 'webhooks' | 'events' }) {
  const query = useQuery(DashboardAgentDocument, { id });
  const agent = query.data?.agent;
  useDocumentTitle(agent ? agent.name : 'Agent');

  const breadcrumb = (current: string) => (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li>
          <a href="#/agents">Agents</a>
        </li>
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );

  if (query.error && !query.data) {
    return (
      <section>
        {breadcrumb('Agent')}
        <h1 tabIndex={-1}>Agent</h1>
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      </section>
    );
  }
  if (!query.data) return <Loading what="the agent" />;
  if (!agent) {
    return (
      <section>
        {breadcrumb('Not found')}
        <h1 tabIndex={-1}>Agent not found</h1>
        <p>
          No agent <code>{id}</code> in this organization: it may have been deleted.{' '}
          <a href="#/agents">Back to the agents</a>.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="agent-title" class="stack">
      {breadcrumb(agent.name)}
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
    </section>
  );
}

function AgentWebhooks({ agent, reload }: { agent: Agent; reload: () => void }) {
  const { eventTypes } = useSession();
  const choices = useQuery(DashboardWebhookChoicesDocument, {});
  const attachedIds = new Set(agent.subscriptions.map((s) => s.webhook.id));
  const available = (choices.data?.webhooks.edges.map((e) => e.node) ?? []).filter(
    (w) => !attachedIds.has(w.id),
  );
  return (
    <>
      <section class="card" aria-labelledby="attached-title">
        <h2 id="attached-title">Attached webhooks</h2>
        {agent.subscriptions.length === 0 ? (
          <EmptyState>
            <p>This agent sends its events nowhere yet. Attach a webhook below.</p>
          </EmptyState>
        ) : (
          <ul class="subscriptions" data-testid="agent-subscriptions">
            {agent.subscriptions.map((subscription) => (
              <SubscriptionItem
                key={`${subscription.webhook.id}:${subscription.events.join(',')}`}
                agentId={agent.id}
                subscription={subscription}
                onChanged={reload}
              />
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="attach-title">
        <h2 id="attach-title">Attach a webhook</h2>
        {choices.error ? (
          <ErrorMessage error={choices.error} retry={() => void choices.reload()} />
        ) : !choices.data ? (
          <Loading what="webhooks" />
        ) : available.length === 0 ? (
          <EmptyState>
            <p>
              {attachedIds.size > 0 ? (
                <>
                  Every webhook is attached to this agent already.{' '}
                  <a href="#/webhooks">Create another webhook</a> to attach more.
                </>
              ) : (
                <>
                  There is no webhook yet. <a href="#/webhooks">Create a webhook</a> first.
                </>
              )}
            </p>
          </EmptyState>
        ) : (
          <AttachForm
            agentId={agent.id}
            webhooks={available}
            eventTypes={eventTypes}
            onAttached={reload}
          />
        )}
      </section>
    </>
  );
}

function AttachForm({
  agentId,
  webhooks,
  eventTypes,
  onAttached,
}: {
  agentId: string;
  webhooks: { id: string; url: string; enabled: boolean }[];
  eventTypes: ReturnType<typeof useSession>['eventTypes'];
  onAttached: () => void;
}) {
  const { api, notify } = useSession();
  const [webhookId, setWebhookId] = useState(webhooks[0]?.id ?? '');
  const [events, setEvents] = useState<string[]>(eventTypes.map((t) => t.type));
  const action = useAction();
  const selected = webhooks.some((w) => w.id === webhookId) ? webhookId : (webhooks[0]?.id ?? '');
  return (
    <form
      class="form"
      aria-labelledby="attach-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const result = await action.run(() =>
          api.request(DashboardAttachWebhookDocument, {
            input: { agentId, webhookId: selected, events: events as EventType[] },
          }),
        );
        if (!result) return;
        notify('success', `Attached ${webhooks.find((w) => w.id === selected)?.url ?? 'webhook'}`);
        onAttached();
      }}
    >
      <div class="field">
        <label for="attach-webhook">Webhook</label>
        <select
          id="attach-webhook"
          value={selected}
          onChange={(event) => setWebhookId(event.currentTarget.value)}
        >
          {webhooks.map((w) => (
            <option key={w.id} value={w.id}>
              {w.url}
              {w.enabled ? '' : ' (disabled)'}
            </option>
          ))}
        </select>
      </div>
      <EventCheckboxes
        legend="Events to send"
        eventTypes={eventTypes}
        value={events}
        onChange={setEvents}
        error={action.error?.fields.events}
      />
      {action.error && !action.error.fields.events && <ErrorMessage error={action.error} />}
      <div class="actions">
        <button type="submit" class="button primary" disabled={action.pending}>
          {action.pending ? 'Attaching…' : 'Attach webhook'}
        </button>
      </div>
    </form>
  );
}

function SubscriptionItem({
  agentId,
  subscription,
  onChanged,
}: {
  agentId: string;
  subscription: Subscription;
  onChanged: () => void;
}) {
  const { api, notify, confirm, eventTypes } = useSession();
  const [events, setEvents] = useState<string[]>(subscription.events);
  const save = useAction();
  const detach = useAction();
  const changed =
    events.length !== subscription.events.length ||
    events.some((e) => !subscription.events.includes(e as EventType));
  const webhook = subscription.webhook;
  return (
    <li class="subscription" data-webhook-id={webhook.id}>
      <div class="page-header">
        <div>
          <a class="url" href={`#/webhooks/${webhook.id}`}>
            {webhook.url}
          </a>{' '}
          <EnabledBadge enabled={webhook.enabled} />
          {webhook.description && <p class="hint">{webhook.description}</p>}
        </div>
        <button
          type="button"
          class="button small danger-outline"
          disabled={detach.pending}
          onClick={async () => {
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
          }}
        >
          Detach<span class="visually-hidden"> {webhook.url}</span>
        </button>
      </div>
      <form
        class="form"
        aria-label={`Events sent to ${webhook.url}`}
        onSubmit={async (event) => {
          event.preventDefault();
          // Attaching again replaces the events of the subscription.
          const result = await save.run(() =>
            api.request(DashboardAttachWebhookDocument, {
              input: { agentId, webhookId: webhook.id, events: events as EventType[] },
            }),
          );
          if (!result) return;
          notify(
            'success',
            `${webhook.url} now gets ${result.attachWebhook.subscription.events
              .map((t) => eventTypeLabel(eventTypes, t))
              .join(', ')}`,
          );
          onChanged();
        }}
      >
        <EventCheckboxes
          legend="Events"
          eventTypes={eventTypes}
          value={events}
          onChange={setEvents}
          error={save.error?.fields.events}
        />
        {save.error && !save.error.fields.events && <ErrorMessage error={save.error} />}
        <div class="actions">
          <button type="submit" class="button small" disabled={!changed || save.pending}>
            Save events
          </button>
          {changed && (
            <button
              type="button"
              class="button small ghost"
              onClick={() => {
                setEvents(subscription.events);
                save.clearError();
              }}
            >
              Undo changes
            </button>
          )}
        </div>
      </form>
    </li>
  );
}

function AgentEvents({ agentId }: { agentId: string }) {
  const { eventTypes } = useSession();
  const query = useQuery(DashboardAgentEventsDocument, { agentId });
  const events = [...(query.data?.events.edges.map((e) => e.node) ?? [])].reverse();
  return (
    <section class="card" aria-labelledby="events-title">
      <div class="page-header">
        <h2 id="events-title">Recent events</h2>
        <button type="button" class="button small" onClick={() => void query.reload()}>
          Refresh
        </button>
      </div>
      {query.error && !query.data ? (
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      ) : !query.data ? (
        <Loading what="events" />
      ) : events.length === 0 ? (
        <EmptyState>
          <p>This agent has not emitted any event yet.</p>
        </EmptyState>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">The agent's most recent events</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Event</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td data-label="Type">{eventTypeLabel(eventTypes, event.type)}</td>
                <td data-label="Event">
                  <code>{event.id}</code>
                </td>
                <td data-label="When">
                  <Time iso={event.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
