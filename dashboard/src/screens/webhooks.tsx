import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  DashboardCreateWebhookDocument,
  type DashboardCreateWebhookMutation,
  type DashboardWebhookRowFragment,
  DashboardWebhooksDocument,
  type DashboardWebhooksQuery,
} from '../../generated/graphql.ts';
import { useSession } from '../context.ts';
import {
  EMPTY_SETTINGS,
  SETTING_NAMES,
  type SettingsDraft,
  settingsToCreate,
} from '../endpoint-settings.ts';
import { describeError, type ErrorView } from '../errors.ts';
import { useAction, useDocumentTitle } from '../hooks.ts';
import { type ListLens, usePagedList } from '../paging.ts';
import { CircuitBadge, EnabledBadge, SuccessRate } from '../ui/badges.tsx';
import { FormError, SubmitButton, submitting } from '../ui/forms.tsx';
import { CellList, type Column, None, PagedTable } from '../ui/tables.tsx';
import { Time } from '../ui/time.tsx';
import { VerificationPanel } from '../ui/verification-panel.tsx';
import { confirmWebhookDeletion, deleteWebhook, toggleWebhook } from './webhook-actions.ts';
import { SettingsFields, WebhookFields } from './webhook-fields.tsx';

type Row = DashboardWebhookRowFragment;
type Created = DashboardCreateWebhookMutation['createWebhook']['webhook'];

const WEBHOOKS: ListLens<DashboardWebhooksQuery, Row> = {
  get: (data) => data.webhooks,
  set: (data, edges) => ({ webhooks: { ...data.webhooks, edges } }),
};

export function WebhooksScreen() {
  useDocumentTitle('Webhooks');
  const { api, notify, confirm, canManage } = useSession();
  const list = usePagedList(DashboardWebhooksDocument, {}, 'forward', WEBHOOKS);
  const busy = useBusyRows();
  const [created, setCreated] = useState<Created | null>(null);
  const [formOpen, setFormOpen] = useState(false);

  const toggle = (row: Row) =>
    busy.run(row.id, async () => {
      const webhook = await toggleWebhook(api, row);
      list.updateRow(row.id, (current) => ({ ...current, ...webhook }));
      notify('success', `${webhook.enabled ? 'Enabled' : 'Disabled'} ${row.url}`);
    });

  const remove = async (row: Row) => {
    if (!(await confirmWebhookDeletion(confirm, row))) return;
    await busy.run(row.id, async () => {
      await deleteWebhook(api, row);
      list.updateRow(row.id, () => null);
      if (created?.id === row.id) setCreated(null);
      notify('success', `Deleted ${row.url}`);
    });
  };

  const columns: Column<Row>[] = [
    {
      label: 'URL',
      cell: (row) => (
        <a class="url" href={`#/webhooks/${row.id}`}>
          {row.url}
        </a>
      ),
    },
    { label: 'Description', cell: (row) => row.description || <None /> },
    {
      label: 'Agents',
      cell: (row) => (
        <CellList items={row.subscriptions} itemKey={(s) => s.agent.id}>
          {(s) => <a href={`#/agents/${s.agent.id}`}>{s.agent.name}</a>}
        </CellList>
      ),
    },
    { label: 'Created', cell: (row) => <Time iso={row.createdAt} dateOnly /> },
    {
      label: 'Status',
      cellProps: (row) => ({
        'data-status': row.enabled ? 'enabled' : 'disabled',
        'data-circuit': row.circuit.state,
      }),
      cell: (row) => (
        <div>
          <div class="badges">
            <EnabledBadge enabled={row.enabled} />
            {/* Only trouble is news here: a closed circuit is the normal case. */}
            {row.circuit.state !== 'CLOSED' && <CircuitBadge state={row.circuit.state} named />}
          </div>
          {row.disabledReason && <p class="hint">{row.disabledReason}</p>}
          {row.circuit.state !== 'CLOSED' && (
            <p class="hint">
              Deliveries held
              {row.circuit.nextProbeAt && row.circuit.state === 'OPEN' && (
                <>
                  , next probe <Time iso={row.circuit.nextProbeAt} precise />
                </>
              )}
            </p>
          )}
        </div>
      ),
    },
    { label: 'Success (24 h)', cell: (row) => <SuccessRate stats={row.stats} window="24 h" /> },
  ];
  // A VIEWER sees no button that would fail.
  if (canManage) {
    columns.push({
      label: 'Actions',
      labelHidden: true,
      cellProps: () => ({ class: 'row-actions' }),
      cell: (row) => (
        <>
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
        </>
      ),
    });
  }

  return (
    <section aria-labelledby="webhooks-title">
      <div class="page-header">
        <h1 id="webhooks-title" tabIndex={-1}>
          Webhooks
        </h1>
        {canManage && (
          <button
            type="button"
            class="button primary"
            aria-expanded={formOpen}
            aria-controls="create-webhook"
            onClick={() => setFormOpen(!formOpen)}
          >
            {formOpen ? 'Close form' : 'New webhook'}
          </button>
        )}
      </div>
      <p class="lede">Endpoints that receive your agents' events, signed.</p>

      {formOpen && (
        <CreateWebhookForm
          onCreated={(webhook) => {
            list.addRow(webhook);
            setCreated(webhook);
            setFormOpen(false);
            notify('success', `Created ${webhook.url}`);
          }}
        />
      )}

      {created && <CreatedWebhook webhook={created} onDone={() => setCreated(null)} />}

      <PagedTable
        list={list}
        what="webhooks"
        empty={<p>No webhooks yet. Create one to start receiving your agents' events.</p>}
        loadMoreLabel="Load more webhooks"
        caption="Webhooks"
        columns={columns}
        rowKey={(row) => row.id}
        rowProps={(row) => ({ 'data-webhook-id': row.id })}
        testId="webhooks-table"
      />
    </section>
  );
}

/**
 * The rows with a request in flight, whose buttons are disabled meanwhile; a failure becomes a
 * notice.
 */
function useBusyRows() {
  const { notify } = useSession();
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const run = async (id: string, work: () => Promise<void>) => {
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
  return { has: (id: string) => busy.has(id), run };
}

function CreateWebhookForm({ onCreated }: { onCreated: (webhook: Created) => void }) {
  const { api } = useSession();
  const [draft, setDraft] = useState({ url: '', description: '', orderByCall: false });
  const [settings, setSettings] = useState(EMPTY_SETTINGS);
  const action = useAction();
  const create = submitting(
    action,
    () =>
      api.request(DashboardCreateWebhookDocument, {
        input: {
          url: draft.url.trim(),
          description: draft.description.trim() || null,
          orderByCall: draft.orderByCall,
          ...settingsToCreate(settings),
        },
      }),
    (result) => onCreated(result.createWebhook.webhook),
  );
  return (
    <form
      class="card form"
      id="create-webhook"
      aria-labelledby="create-webhook-title"
      onSubmit={create}
    >
      <h2 id="create-webhook-title">New webhook</h2>
      <WebhookFields draft={draft} onChange={setDraft} error={action.error} />
      <SettingsDisclosure settings={settings} onChange={setSettings} error={action.error} />
      <FormError error={action.error} />
      <div class="actions">
        <SubmitButton action={action} class="button primary" pendingLabel="Creating…">
          Create webhook
        </SubmitButton>
      </div>
    </form>
  );
}

/**
 * The delivery settings of a new webhook, folded away: most endpoints do with the defaults. It
 * opens by itself when the API refuses one of them, so that the error is seen on its field.
 */
function SettingsDisclosure({
  settings,
  onChange,
  error,
}: {
  settings: SettingsDraft;
  onChange: (settings: SettingsDraft) => void;
  error: ErrorView | undefined;
}) {
  const refused = SETTING_NAMES.some((name) => error?.fields[name]);
  const [open, setOpen] = useState(false);
  const details = useRef<HTMLDetailsElement>(null);
  // Opened in the commit, before the form moves focus to the first field marked invalid.
  useLayoutEffect(() => {
    if (refused && details.current) details.current.open = true;
  }, [error]);
  return (
    <details
      ref={details}
      class="group"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary>Delivery settings</summary>
      <p class="hint">Attempts at once, rate limit and timeout. Empty fields take the defaults.</p>
      <SettingsFields draft={settings} onChange={onChange} error={error} />
    </details>
  );
}

/** The receiver code for a webhook just created, with its secret filled in. */
function CreatedWebhook({ webhook, onDone }: { webhook: Created; onDone: () => void }) {
  return (
    <div class="card" id="created-webhook">
      <div class="page-header">
        <h2>Verify deliveries to {webhook.url}</h2>
        <button type="button" class="button small" onClick={onDone}>
          Done
        </button>
      </div>
      <p>
        Paste this receiver code into your service. It carries the signing secret of the new
        webhook; you can reveal the secret again on the{' '}
        <a href={`#/webhooks/${webhook.id}`}>webhook's page</a>.
      </p>
      <VerificationPanel secret={webhook.signingSecret} />
    </div>
  );
}
