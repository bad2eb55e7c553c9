import { useEffect, useState } from 'preact/hooks';
import {
  DashboardDeleteWebhookDocument,
  type DashboardDeliveryFragment,
  DashboardDeliveryUpdatedDocument,
  type DashboardDeliveryUpdatedSubscription,
  DashboardRedeliverDocument,
  DashboardReplayFailedDeliveriesDocument,
  DashboardRotateWebhookSecretDocument,
  DashboardSendTestEventDocument,
  DashboardToggleWebhookDocument,
  DashboardUpdateWebhookDocument,
  DashboardWebhookDeliveriesDocument,
  type DashboardWebhookDetailsFragment,
  DashboardWebhookDocument,
  DashboardWebhookHealthDocument,
  type DeliveryStatus,
  type EventType,
  type StatsWindow,
} from '../../generated/graphql.ts';
import { eventTypeLabel, useSession } from '../context.ts';
import { describeError } from '../errors.ts';
import { formatDuration, maskSecret, toDateTimeLocal } from '../format.ts';
import { useAction, useDocumentTitle, useQuery } from '../hooks.ts';
import {
  AttemptResult,
  CopyButton,
  DeliveryBadge,
  EmptyState,
  EnabledBadge,
  ErrorMessage,
  EventChips,
  Loading,
  SuccessRate,
  TextField,
  Time,
  VerificationPanel,
} from '../ui.tsx';

type Webhook = DashboardWebhookDetailsFragment;

export function WebhookDetailsScreen({ id }: { id: string }) {
  const query = useQuery(DashboardWebhookDocument, { id });
  const webhook = query.data?.webhook;
  useDocumentTitle(webhook ? webhook.url : 'Webhook');
  const changes = useDeliveryChanges(id);

  if (query.error && !query.data) {
    return (
      <section>
        <Breadcrumb current="Webhook" />
        <h1 tabIndex={-1}>Webhook</h1>
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      </section>
    );
  }
  if (!query.data) return <Loading what="the webhook" />;
  if (!webhook) {
    return (
      <section>
        <Breadcrumb current="Not found" />
        <h1 tabIndex={-1}>Webhook not found</h1>
        <p>
          No webhook <code>{id}</code> in this organization: it may have been deleted.{' '}
          <a href="#/webhooks">Back to the webhooks</a>.
        </p>
      </section>
    );
  }
  const replace = (next: Partial<Webhook>) =>
    query.setData((data) => ({ webhook: data.webhook && { ...data.webhook, ...next } }));
  return (
    <section aria-labelledby="webhook-title" class="stack">
      <Breadcrumb current={webhook.url} />
      <Overview webhook={webhook} replace={replace} />
      <Health webhookId={webhook.id} changes={changes} />
      <SigningSecret webhook={webhook} replace={replace} />
      <Subscriptions webhook={webhook} />
      <Deliveries webhook={webhook} changes={changes} />
    </section>
  );
}

/**
 * Counts the changes the server announces to this webhook's deliveries (deliveryUpdated), a
 * moment after each burst, so that the screens reading them reload once per burst.
 */
function useDeliveryChanges(webhookId: string): number {
  const { live } = useSession();
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.client.subscribe<DashboardDeliveryUpdatedSubscription>(
      { query: DashboardDeliveryUpdatedDocument.toString(), variables: { webhookId } },
      {
        next: () => {
          clearTimeout(timer);
          timer = setTimeout(() => setChanges((n) => n + 1), RELOAD_DELAY_MS);
        },
        // A lost feed only means no automatic refresh: the Refresh buttons still work.
        error: () => {},
        complete: () => {},
      },
    );
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [live, webhookId]);
  return changes;
}

const WINDOWS: { value: StatsWindow; label: string; short: string }[] = [
  { value: 'LAST_HOUR', label: 'Last hour', short: 'the last hour' },
  { value: 'LAST_24_HOURS', label: 'Last 24 hours', short: '24 h' },
  { value: 'LAST_7_DAYS', label: 'Last 7 days', short: '7 days' },
];

function Health({ webhookId, changes }: { webhookId: string; changes: number }) {
  const [statsWindow, setStatsWindow] = useState<StatsWindow>('LAST_24_HOURS');
  const query = useQuery(DashboardWebhookHealthDocument, { id: webhookId, window: statsWindow });
  useEffect(() => {
    if (changes > 0) void query.reload();
  }, [changes]);
  const stats = query.data?.webhook?.stats;
  const windowText = WINDOWS.find((w) => w.value === statsWindow)?.short ?? '';
  const latency = (ms: number | null | undefined) => (ms == null ? '—' : formatDuration(ms));
  return (
    <section class="card" aria-labelledby="health-title">
      <div class="page-header">
        <h2 id="health-title">Health</h2>
        <div class="field compact">
          <label for="health-window">Over</label>
          <select
            id="health-window"
            value={statsWindow}
            onChange={(event) => setStatsWindow(event.currentTarget.value as StatsWindow)}
          >
            {WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {query.error && !stats ? (
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      ) : !stats ? (
        <Loading what="health" />
      ) : (
        <dl class="facts" data-testid="webhook-health">
          <div>
            <dt>Success rate</dt>
            <dd>
              <SuccessRate stats={stats} window={windowText} />
            </dd>
          </div>
          <div>
            <dt>Attempts</dt>
            <dd>
              {stats.attemptCount} ({stats.failureCount} failed)
            </dd>
          </div>
          <div>
            <dt>Latency p50 / p95</dt>
            <dd>
              {latency(stats.p50LatencyMs)} / {latency(stats.p95LatencyMs)}
            </dd>
          </div>
          <div>
            <dt>Last error</dt>
            <dd>
              {stats.lastError ? (
                <>
                  {stats.lastError}
                  {stats.lastErrorAt && (
                    <>
                      {' '}
                      <span class="muted">
                        (<Time iso={stats.lastErrorAt} />)
                      </span>
                    </>
                  )}
                </>
              ) : (
                <span class="muted">None</span>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function Breadcrumb({ current }: { current: string }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li>
          <a href="#/webhooks">Webhooks</a>
        </li>
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}

function Overview({
  webhook,
  replace,
}: {
  webhook: Webhook;
  replace: (next: Partial<Webhook>) => void;
}) {
  const { api, notify, confirm } = useSession();
  const action = useAction();
  const [editing, setEditing] = useState(false);

  const toggle = async () => {
    const result = await action.run(
      () =>
        api.request(DashboardToggleWebhookDocument, {
          input: { id: webhook.id, enabled: !webhook.enabled },
        }),
      { notifyErrors: true },
    );
    if (!result) return;
    replace(result.toggleWebhook.webhook);
    notify('success', `Webhook ${result.toggleWebhook.webhook.enabled ? 'enabled' : 'disabled'}`);
  };

  const remove = async () => {
    const ok = await confirm({
      title: 'Delete this webhook?',
      body: `${webhook.url} stops receiving events at once, and pending deliveries to it are cancelled. This cannot be undone.`,
      confirmLabel: 'Delete webhook',
      danger: true,
    });
    if (!ok) return;
    const result = await action.run(
      () => api.request(DashboardDeleteWebhookDocument, { input: { id: webhook.id } }),
      { notifyErrors: true },
    );
    if (!result) return;
    notify('success', `Deleted ${webhook.url}`);
    location.hash = '#/webhooks';
  };

  return (
    <div class="card">
      <div class="page-header">
        <div>
          <h1 id="webhook-title" class="url-title" tabIndex={-1}>
            {webhook.url}
          </h1>
          <p class="lede">{webhook.description || <span class="muted">No description</span>}</p>
        </div>
        <div class="actions">
          <button
            type="button"
            class="button"
            onClick={() => setEditing(!editing)}
            aria-expanded={editing}
          >
            Edit
          </button>
          <button
            type="button"
            class="button"
            disabled={action.pending}
            onClick={() => void toggle()}
          >
            {webhook.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            class="button danger-outline"
            disabled={action.pending}
            onClick={() => void remove()}
          >
            Delete
          </button>
        </div>
      </div>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="webhook-status">
            <EnabledBadge enabled={webhook.enabled} />
          </dd>
        </div>
        {webhook.disabledReason && (
          <div>
            <dt>Disabled by Hookline because</dt>
            <dd>{webhook.disabledReason}</dd>
          </div>
        )}
        <div>
          <dt>Created</dt>
          <dd>
            <Time iso={webhook.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <Time iso={webhook.updatedAt} />
          </dd>
        </div>
        <div>
          <dt>ID</dt>
          <dd>
            <code>{webhook.id}</code>
          </dd>
        </div>
      </dl>
      {editing && (
        <EditWebhookForm
          webhook={webhook}
          onSaved={(saved) => {
            replace(saved);
            setEditing(false);
            notify('success', 'Webhook saved');
          }}
        />
      )}
    </div>
  );
}

function EditWebhookForm({
  webhook,
  onSaved,
}: {
  webhook: Webhook;
  onSaved: (webhook: Webhook) => void;
}) {
  const { api } = useSession();
  const [url, setUrl] = useState(webhook.url);
  const [description, setDescription] = useState(webhook.description);
  const action = useAction();
  const fields = action.error?.fields ?? {};
  return (
    <form
      class="form inset"
      aria-label="Edit webhook"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const result = await action.run(() =>
          api.request(DashboardUpdateWebhookDocument, {
            input: { id: webhook.id, url: url.trim(), description: description.trim() },
          }),
        );
        if (result) onSaved(result.updateWebhook.webhook);
        else form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      }}
    >
      <TextField label="URL" type="url" required value={url} onInput={setUrl} error={fields.url} />
      <TextField
        label="Description"
        value={description}
        onInput={setDescription}
        error={fields.description}
      />
      {action.error && <ErrorMessage error={action.error} />}
      <div class="actions">
        <button type="submit" class="button primary" disabled={action.pending}>
          Save
        </button>
      </div>
    </form>
  );
}

function SigningSecret({
  webhook,
  replace,
}: {
  webhook: Webhook;
  replace: (next: Partial<Webhook>) => void;
}) {
  const { api, notify, confirm } = useSession();
  const [revealed, setRevealed] = useState(false);
  const [showCode, setShowCode] = useState(false);
  const action = useAction();
  const rotate = async () => {
    const ok = await confirm({
      title: 'Rotate the signing secret?',
      body: 'Hookline starts signing with a new secret now. For a grace period (24 hours by default) each delivery also carries a signature made with the old one, so update your receiver within it.',
      confirmLabel: 'Rotate secret',
    });
    if (!ok) return;
    const result = await action.run(
      () => api.request(DashboardRotateWebhookSecretDocument, { input: { id: webhook.id } }),
      { notifyErrors: true },
    );
    if (!result) return;
    replace(result.rotateWebhookSecret.webhook);
    setRevealed(true);
    notify('success', 'Signing secret rotated: the new one is shown.');
  };
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="hint">Your receiver verifies the webhook-signature header with it.</p>
      <div class="secret-row">
        <code class="secret" data-testid="signing-secret">
          {revealed ? webhook.signingSecret : maskSecret(webhook.signingSecret)}
        </code>
        <div class="actions">
          <button
            type="button"
            class="button small"
            aria-pressed={revealed}
            onClick={() => setRevealed(!revealed)}
          >
            {revealed ? 'Hide' : 'Reveal'}
          </button>
          <CopyButton text={webhook.signingSecret} label="Copy" />
          <button
            type="button"
            class="button small"
            disabled={action.pending}
            onClick={() => void rotate()}
          >
            Rotate
          </button>
        </div>
      </div>
      <button
        type="button"
        class="button small ghost"
        aria-expanded={showCode}
        onClick={() => setShowCode(!showCode)}
      >
        {showCode ? 'Hide verification code' : 'Show verification code'}
      </button>
      {showCode && <VerificationPanel secret={webhook.signingSecret} />}
    </section>
  );
}

function Subscriptions({ webhook }: { webhook: Webhook }) {
  const { eventTypes } = useSession();
  return (
    <section class="card" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">Subscriptions</h2>
      {webhook.subscriptions.length === 0 ? (
        <EmptyState>
          <p>
            No agent sends events here yet. Attach this webhook from an{' '}
            <a href="#/agents">agent's page</a>.
          </p>
        </EmptyState>
      ) : (
        <table class="table responsive">
          <caption class="visually-hidden">Agents that send events to this webhook</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Events</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {webhook.subscriptions.map((s) => (
              <tr key={s.agent.id}>
                <td data-label="Agent">
                  <a href={`#/agents/${s.agent.id}`}>{s.agent.name}</a>
                </td>
                <td data-label="Events">
                  <EventChips events={s.events} eventTypes={eventTypes} />
                </td>
                <td data-label="Since">
                  <Time iso={s.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const STATUS_FILTERS: { value: DeliveryStatus | ''; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'FAILED', label: 'Failed' },
  { value: 'PENDING', label: 'Pending' },
  { value: 'SUCCEEDED', label: 'Succeeded' },
  { value: 'CANCELLED', label: 'Cancelled' },
];

/** How long the list waits after a delivery changed before it reloads. */
const RELOAD_DELAY_MS = 250;

function Deliveries({ webhook, changes }: { webhook: Webhook; changes: number }) {
  const { api, notify, eventTypes } = useSession();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const query = useQuery(DashboardWebhookDeliveriesDocument, {
    id: webhook.id,
    status: status || null,
  });
  const [older, setOlder] = useState<{
    rows: DashboardDeliveryFragment[];
    cursor: string | null;
    more: boolean;
  }>();
  const [testType, setTestType] = useState<EventType | undefined>(eventTypes[0]?.type);
  const [since, setSince] = useState(() => toDateTimeLocal(new Date(Date.now() - 24 * 3600_000)));
  const test = useAction();
  const replay = useAction();

  // Reset paging when the filter changes.
  useEffect(() => setOlder(undefined), [status]);

  const page = query.data?.webhook?.deliveries;
  // Connections are oldest first; the newest is shown first.
  const newest = [...(page?.edges.map((e) => e.node) ?? [])].reverse();
  const rows = [...newest, ...(older?.rows ?? [])];
  const paging = older
    ? { more: older.more, cursor: older.cursor }
    : { more: page?.pageInfo.hasPreviousPage ?? false, cursor: page?.pageInfo.startCursor ?? null };
  // Deliveries change as they are attempted: reload when the server says one did.
  useEffect(() => {
    if (changes > 0) void query.reload();
  }, [changes]);

  const loadOlder = async () => {
    if (!paging.cursor) return;
    try {
      const data = await api.request(DashboardWebhookDeliveriesDocument, {
        id: webhook.id,
        status: status || null,
        before: paging.cursor,
      });
      const connection = data.webhook?.deliveries;
      setOlder({
        rows: [
          ...(older?.rows ?? []),
          ...[...(connection?.edges.map((e) => e.node) ?? [])].reverse(),
        ],
        cursor: connection?.pageInfo.startCursor ?? null,
        more: connection?.pageInfo.hasPreviousPage ?? false,
      });
    } catch (error) {
      notify('error', describeError(error).message);
    }
  };

  const sendTest = async () => {
    if (!testType) return;
    const result = await test.run(() =>
      api.request(DashboardSendTestEventDocument, {
        input: { webhookId: webhook.id, type: testType },
      }),
    );
    if (!result) return;
    notify(
      'success',
      `Test ${eventTypeLabel(eventTypes, testType)} event queued as delivery ${result.sendTestEvent.delivery.id}`,
    );
    void query.reload();
  };

  const replayFailed = async () => {
    const moment = new Date(since);
    if (Number.isNaN(moment.getTime())) return;
    const result = await replay.run(() =>
      api.request(DashboardReplayFailedDeliveriesDocument, {
        input: { webhookId: webhook.id, since: moment.toISOString() },
      }),
    );
    if (!result) return;
    const count = result.replayFailedDeliveries.count;
    notify(
      'success',
      count === 0
        ? 'No failed deliveries since then: nothing to replay.'
        : `${count} failed ${count === 1 ? 'delivery' : 'deliveries'} started again.`,
    );
    void query.reload();
  };

  return (
    <section class="card" aria-labelledby="deliveries-title">
      <div class="page-header">
        <h2 id="deliveries-title">Deliveries</h2>
        <a class="button small" href={`#/live?webhook=${encodeURIComponent(webhook.id)}`}>
          Watch live
        </a>
      </div>
      <div class="tools">
        <form
          class="inline-form"
          aria-label="Send a test event"
          onSubmit={(event) => {
            event.preventDefault();
            void sendTest();
          }}
        >
          <div class="field">
            <label for="test-event-type">Test event</label>
            <select
              id="test-event-type"
              value={testType}
              onChange={(event) => setTestType(event.currentTarget.value as EventType)}
            >
              {eventTypes.map((info) => (
                <option key={info.type} value={info.type}>
                  {info.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button primary" disabled={test.pending}>
            {test.pending ? 'Sending…' : 'Send test event'}
          </button>
          {test.error && <ErrorMessage error={test.error} />}
        </form>
        <form
          class="inline-form"
          aria-label="Replay failed deliveries"
          onSubmit={(event) => {
            event.preventDefault();
            void replayFailed();
          }}
        >
          <TextField
            label="Replay failed deliveries since"
            type="datetime-local"
            required
            value={since}
            onInput={setSince}
            error={replay.error?.fields.since}
          />
          <button type="submit" class="button" disabled={replay.pending}>
            {replay.pending ? 'Replaying…' : 'Replay failed'}
          </button>
          {replay.error && !replay.error.fields.since && <ErrorMessage error={replay.error} />}
        </form>
      </div>

      <div class="list-header">
        <div class="field compact">
          <label for="delivery-status-filter">Show</label>
          <select
            id="delivery-status-filter"
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as DeliveryStatus | '')}
          >
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" class="button small" onClick={() => void query.reload()}>
          Refresh
        </button>
      </div>

      {query.error && !query.data ? (
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      ) : !query.data ? (
        <Loading what="deliveries" />
      ) : rows.length === 0 ? (
        <EmptyState>
          <p>No deliveries{status ? ' with this status' : ''} yet. Send a test event to see one.</p>
        </EmptyState>
      ) : (
        <>
          <ul class="deliveries" data-testid="deliveries">
            {rows.map((delivery) => (
              <DeliveryItem
                key={delivery.id}
                delivery={delivery}
                webhookEnabled={webhook.enabled}
                onRedelivered={() => void query.reload()}
              />
            ))}
          </ul>
          {paging.more && (
            <button type="button" class="button" onClick={() => void loadOlder()}>
              Older deliveries
            </button>
          )}
        </>
      )}
    </section>
  );
}

function DeliveryItem({
  delivery,
  webhookEnabled,
  onRedelivered,
}: {
  delivery: DashboardDeliveryFragment;
  webhookEnabled: boolean;
  onRedelivered: () => void;
}) {
  const { api, notify, eventTypes } = useSession();
  const [open, setOpen] = useState(false);
  const action = useAction();
  const last = delivery.attempts[delivery.attempts.length - 1];
  const panelId = `attempts-${delivery.id}`;
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
    <li class="delivery" data-delivery-id={delivery.id} data-status={delivery.status}>
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
        {delivery.status !== 'PENDING' && (
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
              <table class="table responsive attempts">
                <caption class="visually-hidden">Attempts of delivery {delivery.id}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Started</th>
                    <th scope="col">Result</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Error</th>
                    <th scope="col">Response body</th>
                  </tr>
                </thead>
                <tbody>
                  {delivery.attempts.map((attempt) => (
                    <tr key={attempt.id}>
                      <td data-label="#">{attempt.attemptNumber}</td>
                      <td data-label="Started">
                        <Time iso={attempt.startedAt} />
                      </td>
                      <td data-label="Result">
                        <AttemptResult
                          responseStatus={attempt.responseStatus}
                          errorKind={attempt.errorKind}
                        />
                      </td>
                      <td data-label="Duration">{formatDuration(attempt.durationMs)}</td>
                      <td data-label="Error">{attempt.error ?? <span class="muted">None</span>}</td>
                      <td data-label="Response body">
                        {attempt.responseBody ? (
                          <pre class="body">{attempt.responseBody}</pre>
                        ) : (
                          <span class="muted">Empty</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </div>
    </li>
  );
}
