import { useState } from 'preact/hooks';
import {
  DashboardCreateWebhookDocument,
  type DashboardCreateWebhookMutation,
  DashboardDeleteWebhookDocument,
  DashboardToggleWebhookDocument,
  type DashboardWebhookRowFragment,
  DashboardWebhooksDocument,
} from '../../generated/graphql.ts';
import { useSession } from '../context.ts';
import { describeError } from '../errors.ts';
import { useAction, useDocumentTitle, useQuery } from '../hooks.ts';
import {
  EmptyState,
  EnabledBadge,
  ErrorMessage,
  Loading,
  SuccessRate,
  TextField,
  Time,
  VerificationPanel,
} from '../ui.tsx';

type Row = DashboardWebhookRowFragment;
type Created = DashboardCreateWebhookMutation['createWebhook']['webhook'];

export function WebhooksScreen() {
  useDocumentTitle('Webhooks');
  const { api, notify, confirm } = useSession();
  const query = useQuery(DashboardWebhooksDocument, {});
  const [more, setMore] = useState<{
    rows: Row[];
    endCursor: string | null;
    hasNextPage: boolean;
  }>();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [created, setCreated] = useState<Created | null>(null);
  const [formOpen, setFormOpen] = useState(false);

  const firstPage = query.data?.webhooks;
  const rows = [...(firstPage?.edges.map((e) => e.node) ?? []), ...(more?.rows ?? [])];
  const pageInfo = more ?? firstPage?.pageInfo;

  const updateRow = (id: string, update: (row: Row) => Row | null) => {
    const apply = (list: Row[]) =>
      list.flatMap((row) => {
        if (row.id !== id) return [row];
        const next = update(row);
        return next ? [next] : [];
      });
    query.setData((data) => ({
      webhooks: {
        ...data.webhooks,
        edges: data.webhooks.edges.flatMap((edge) =>
          apply([edge.node]).map((node) => ({ ...edge, node })),
        ),
      },
    }));
    setMore((current) => current && { ...current, rows: apply(current.rows) });
  };

  const withBusy = async (id: string, work: () => Promise<void>) => {
    setBusy((current) => new Set(current).add(id));
    try {
      await work();
    } catch (error) {
      notify('error', describeError(error).message);
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(id);
        return next;
      });
    }
  };

  const toggle = (row: Row) =>
    withBusy(row.id, async () => {
      const { webhook } = (
        await api.request(DashboardToggleWebhookDocument, {
          input: { id: row.id, enabled: !row.enabled },
        })
      ).toggleWebhook;
      updateRow(row.id, (current) => ({ ...current, ...webhook }));
      notify('success', `${webhook.enabled ? 'Enabled' : 'Disabled'} ${row.url}`);
    });

  const remove = async (row: Row) => {
    const ok = await confirm({
      title: 'Delete this webhook?',
      body: `${row.url} stops receiving events at once, and pending deliveries to it are cancelled. This cannot be undone.`,
      confirmLabel: 'Delete webhook',
      danger: true,
    });
    if (!ok) return;
    await withBusy(row.id, async () => {
      await api.request(DashboardDeleteWebhookDocument, { input: { id: row.id } });
      updateRow(row.id, () => null);
      if (created?.id === row.id) setCreated(null);
      notify('success', `Deleted ${row.url}`);
    });
  };

  const loadMore = async () => {
    if (!pageInfo?.endCursor) return;
    try {
      const data = await api.request(DashboardWebhooksDocument, { after: pageInfo.endCursor });
      setMore({
        rows: [...(more?.rows ?? []), ...data.webhooks.edges.map((e) => e.node)],
        endCursor: data.webhooks.pageInfo.endCursor ?? null,
        hasNextPage: data.webhooks.pageInfo.hasNextPage,
      });
    } catch (error) {
      notify('error', describeError(error).message);
    }
  };

  return (
    <section aria-labelledby="webhooks-title">
      <div class="page-header">
        <h1 id="webhooks-title" tabIndex={-1}>
          Webhooks
        </h1>
        <button
          type="button"
          class="button primary"
          aria-expanded={formOpen}
          aria-controls="create-webhook"
          onClick={() => setFormOpen(!formOpen)}
        >
          {formOpen ? 'Close form' : 'New webhook'}
        </button>
      </div>
      <p class="lede">Endpoints that receive your agents' events, signed.</p>

      {formOpen && (
        <CreateWebhookForm
          onCreated={(webhook) => {
            query.setData((data) => ({
              webhooks: {
                ...data.webhooks,
                edges: [...data.webhooks.edges, { node: webhook }],
              },
            }));
            setCreated(webhook);
            setFormOpen(false);
            notify('success', `Created ${webhook.url}`);
          }}
        />
      )}

      {created && (
        <div class="card" id="created-webhook">
          <div class="page-header">
            <h2>Verify deliveries to {created.url}</h2>
            <button type="button" class="button small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          <p>
            Paste this receiver code into your service. It carries the signing secret of the new
            webhook; you can reveal the secret again on the{' '}
            <a href={`#/webhooks/${created.id}`}>webhook's page</a>.
          </p>
          <VerificationPanel secret={created.signingSecret} />
        </div>
      )}

      {query.error && !query.data ? (
        <ErrorMessage error={query.error} retry={() => void query.reload()} />
      ) : !query.data ? (
        <Loading what="webhooks" />
      ) : rows.length === 0 ? (
        <EmptyState>
          <p>No webhooks yet. Create one to start receiving your agents' events.</p>
        </EmptyState>
      ) : (
        <>
          <table class="table responsive" data-testid="webhooks-table">
            <caption class="visually-hidden">Webhooks</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Description</th>
                <th scope="col">Agents</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Success (24 h)</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-webhook-id={row.id}>
                  <td data-label="URL">
                    <a class="url" href={`#/webhooks/${row.id}`}>
                      {row.url}
                    </a>
                  </td>
                  <td data-label="Description">
                    {row.description || <span class="muted">None</span>}
                  </td>
                  <td data-label="Agents">
                    {row.subscriptions.length === 0 ? (
                      <span class="muted">None</span>
                    ) : (
                      <ul class="plain">
                        {row.subscriptions.map((s) => (
                          <li key={s.agent.id}>
                            <a href={`#/agents/${s.agent.id}`}>{s.agent.name}</a>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td data-label="Created">
                    <Time iso={row.createdAt} dateOnly />
                  </td>
                  <td data-label="Status" data-status={row.enabled ? 'enabled' : 'disabled'}>
                    <div>
                      <EnabledBadge enabled={row.enabled} />
                      {row.disabledReason && <p class="hint">{row.disabledReason}</p>}
                    </div>
                  </td>
                  <td data-label="Success (24 h)">
                    <SuccessRate stats={row.stats} window="24 h" />
                  </td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="button small"
                      disabled={busy.has(row.id)}
                      onClick={() => void toggle(row)}
                    >
                      {row.enabled ? 'Disable' : 'Enable'}
                      <span class="visually-hidden"> {row.url}</span>
                    </button>
                    <button
                      type="button"
                      class="button small danger-outline"
                      disabled={busy.has(row.id)}
                      onClick={() => void remove(row)}
                    >
                      Delete<span class="visually-hidden"> {row.url}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pageInfo?.hasNextPage && (
            <button type="button" class="button" onClick={() => void loadMore()}>
              Load more webhooks
            </button>
          )}
        </>
      )}
    </section>
  );
}

function CreateWebhookForm({ onCreated }: { onCreated: (webhook: Created) => void }) {
  const { api } = useSession();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const action = useAction();
  const fields = action.error?.fields ?? {};
  return (
    <form
      class="card form"
      id="create-webhook"
      aria-labelledby="create-webhook-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const result = await action.run(() =>
          api.request(DashboardCreateWebhookDocument, {
            input: { url: url.trim(), description: description.trim() || null },
          }),
        );
        if (result) onCreated(result.createWebhook.webhook);
        else form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      }}
    >
      <h2 id="create-webhook-title">New webhook</h2>
      <TextField
        label="URL"
        name="url"
        type="url"
        required
        placeholder="https://example.com/webhooks/hookline"
        value={url}
        onInput={setUrl}
        error={fields.url}
      />
      <TextField
        label="Description"
        name="description"
        value={description}
        onInput={setDescription}
        error={fields.description}
      />
      {action.error && <ErrorMessage error={action.error} />}
      <div class="actions">
        <button type="submit" class="button primary" disabled={action.pending}>
          {action.pending ? 'Creating…' : 'Create webhook'}
        </button>
      </div>
    </form>
  );
}
