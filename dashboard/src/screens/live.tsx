import { useEffect, useRef, useState } from 'preact/hooks';
import {
  DashboardDeliveryAttemptsDocument,
  type DashboardDeliveryAttemptsSubscription,
  type DashboardDeliveryAttemptsSubscriptionVariables,
  DashboardLiveFiltersDocument,
  type EventType,
} from '../../generated/graphql.ts';
import { apiErrorFrom } from '../api.ts';
import { eventTypeLabel, useSession } from '../context.ts';
import { describeError } from '../errors.ts';
import { formatDuration, formatTime } from '../format.ts';
import { useDocumentTitle, useLiveStatus, useQuery } from '../hooks.ts';
import type { LiveStatus } from '../live-client.ts';
import { hrefOf, type LiveFilters } from '../router.ts';
import { AttemptResult, DeliveryBadge, EmptyState } from '../ui.tsx';

type Attempt = DashboardDeliveryAttemptsSubscription['deliveryAttempts'];

/** The feed keeps this many attempts; older ones drop off the bottom. */
const FEED_LIMIT = 200;

const STATUS_TEXT: Record<LiveStatus['state'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export function LiveScreen({ filters }: { filters: LiveFilters }) {
  useDocumentTitle('Live');
  const { live, eventTypes } = useSession();
  const choices = useQuery(DashboardLiveFiltersDocument, {});
  const status = useLiveStatus();
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const held = useRef<Attempt[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const { webhookId, agentId, eventType } = filters;
  useEffect(() => {
    const variables: DashboardDeliveryAttemptsSubscriptionVariables = {
      webhookId: webhookId ?? null,
      agentId: agentId ?? null,
      eventType: (eventType as EventType | undefined) ?? null,
    };
    let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const subscribe = () => {
      unsubscribe = live.client.subscribe<DashboardDeliveryAttemptsSubscription>(
        { query: DashboardDeliveryAttemptsDocument.toString(), variables: { ...variables } },
        {
          next: (result) => {
            if (result.errors?.length) {
              setProblem(describeError(apiErrorFrom(result.errors, 200)).message);
              return;
            }
            const attempt = result.data?.deliveryAttempts;
            if (!attempt) return;
            if (pausedRef.current) {
              held.current = [attempt, ...held.current].slice(0, FEED_LIMIT);
              setHeldCount(held.current.length);
            } else {
              setAttempts((current) => [attempt, ...current].slice(0, FEED_LIMIT));
            }
          },
          error: (failure) => {
            const errors = Array.isArray(failure) ? failure : [];
            const error = apiErrorFrom(errors, 200);
            if (error.code === 'SLOW_CONSUMER') {
              // The server ended a feed that fell behind: start again, and say what was lost.
              setProblem('The feed fell behind and was restarted: some attempts may be missing.');
              resubscribeTimer = setTimeout(subscribe, 1000);
            } else if (errors.length > 0) {
              setProblem(describeError(error).message);
            }
          },
          complete: () => {},
        },
      );
    };
    // The feed shows what matches the filters: a new filter starts a new feed.
    setProblem(null);
    setAttempts([]);
    held.current = [];
    setHeldCount(0);
    subscribe();
    return () => {
      clearTimeout(resubscribeTimer);
      unsubscribe();
    };
  }, [live, webhookId, agentId, eventType]);

  const setFilter = (name: keyof LiveFilters, value: string) => {
    const next: LiveFilters = { ...filters };
    if (value) next[name] = value;
    else delete next[name];
    location.hash = hrefOf({ name: 'live', filters: next });
  };

  const webhooks = choices.data?.webhooks.edges.map((e) => e.node) ?? [];
  const agents = choices.data?.agents.edges.map((e) => e.node) ?? [];
  const resume = () => {
    setAttempts((current) => [...held.current, ...current].slice(0, FEED_LIMIT));
    held.current = [];
    setHeldCount(0);
    setPaused(false);
  };

  return (
    <section aria-labelledby="live-title">
      <div class="page-header">
        <h1 id="live-title" tabIndex={-1}>
          Live deliveries
        </h1>
        <p class={`live-status live-${status.state}`} role="status" data-testid="live-status">
          <span class="dot" aria-hidden="true" />
          {STATUS_TEXT[status.state]}
          {status.state === 'closed' && `: ${status.reason}`}
        </p>
      </div>
      <p class="lede">Every delivery attempt as it completes, newest first.</p>

      <form class="card filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="live-webhook">Webhook</label>
          <select
            id="live-webhook"
            value={webhookId ?? ''}
            onChange={(event) => setFilter('webhookId', event.currentTarget.value)}
          >
            <option value="">All webhooks</option>
            {webhookId && !webhooks.some((w) => w.id === webhookId) && (
              <option value={webhookId}>{webhookId}</option>
            )}
            {webhooks.map((w) => (
              <option key={w.id} value={w.id}>
                {w.url}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="live-agent">Agent</label>
          <select
            id="live-agent"
            value={agentId ?? ''}
            onChange={(event) => setFilter('agentId', event.currentTarget.value)}
          >
            <option value="">All agents</option>
            {agentId && !agents.some((a) => a.id === agentId) && (
              <option value={agentId}>{agentId}</option>
            )}
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="live-event-type">Event type</label>
          <select
            id="live-event-type"
            value={eventType ?? ''}
            onChange={(event) => setFilter('eventType', event.currentTarget.value)}
          >
            <option value="">All event types</option>
            {eventTypes.map((info) => (
              <option key={info.type} value={info.type}>
                {info.name}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          {paused ? (
            <button type="button" class="button" onClick={resume}>
              Resume{heldCount > 0 ? ` (${heldCount} new)` : ''}
            </button>
          ) : (
            <button type="button" class="button" onClick={() => setPaused(true)}>
              Pause
            </button>
          )}
          <button
            type="button"
            class="button ghost"
            disabled={attempts.length === 0}
            onClick={() => setAttempts([])}
          >
            Clear
          </button>
        </div>
      </form>

      {problem && (
        <div class="error-box" role="alert">
          <p>{problem}</p>
        </div>
      )}

      {attempts.length === 0 ? (
        <EmptyState>
          <p>
            Waiting for delivery attempts{filtersText(filters)}. Send a test event from a{' '}
            <a href="#/webhooks">webhook's page</a> to see one arrive.
          </p>
        </EmptyState>
      ) : (
        <table class="table responsive live-feed" data-testid="live-feed">
          <caption class="visually-hidden">Delivery attempts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Result</th>
              <th scope="col">Delivery</th>
              <th scope="col">Webhook</th>
              <th scope="col">Event</th>
              <th scope="col">Agent</th>
              <th scope="col">Duration</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((attempt) => (
              <AttemptRow key={attempt.id} attempt={attempt} eventTypes={eventTypes} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function filtersText(filters: LiveFilters): string {
  const parts = [
    filters.webhookId && 'this webhook',
    filters.agentId && 'this agent',
    filters.eventType && 'this event type',
  ].filter(Boolean);
  return parts.length ? ` of ${parts.join(', ')}` : '';
}

function AttemptRow({
  attempt,
  eventTypes,
}: {
  attempt: Attempt;
  eventTypes: ReturnType<typeof useSession>['eventTypes'];
}) {
  const { delivery } = attempt;
  return (
    <tr
      class="fresh"
      data-attempt-id={attempt.id}
      data-webhook-id={delivery.webhook.id}
      data-delivery-id={delivery.id}
    >
      <td data-label="Time">
        <time dateTime={attempt.startedAt}>{formatTime(attempt.startedAt)}</time>
      </td>
      <td data-label="Result">
        <AttemptResult responseStatus={attempt.responseStatus} errorKind={attempt.errorKind} />
      </td>
      <td data-label="Delivery">
        <span>
          <DeliveryBadge status={delivery.status} />{' '}
          <span class="muted">attempt {attempt.attemptNumber}</span>
        </span>
      </td>
      <td data-label="Webhook">
        <a class="url" href={`#/webhooks/${delivery.webhook.id}`}>
          {delivery.webhook.url}
        </a>
      </td>
      <td data-label="Event">{eventTypeLabel(eventTypes, delivery.event.type)}</td>
      <td data-label="Agent">
        {delivery.event.agent ? (
          <a href={`#/agents/${delivery.event.agent.id}`}>{delivery.event.agent.name}</a>
        ) : (
          <span class="muted">test event</span>
        )}
      </td>
      <td data-label="Duration">{formatDuration(attempt.durationMs)}</td>
      <td data-label="Error">{attempt.error ?? <span class="muted">None</span>}</td>
    </tr>
  );
}
