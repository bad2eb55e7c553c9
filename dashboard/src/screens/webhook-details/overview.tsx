import { useState } from 'preact/hooks';
import { useSession } from '../../context.ts';
import { useAction } from '../../hooks.ts';
import { EnabledBadge } from '../../ui/badges.tsx';
import { Time } from '../../ui/time.tsx';
import { confirmWebhookDeletion, deleteWebhook, toggleWebhook } from '../webhook-actions.ts';
import { CircuitDetails, CircuitFact } from './circuit.tsx';
import { DeliverySettings } from './delivery-settings.tsx';
import { EditWebhookForm } from './edit-form.tsx';
import type { ReplaceWebhook, Webhook } from './webhook.ts';

/**
 * The webhook's URL, description, status, circuit and delivery settings, and the buttons that
 * change them.
 */
export function Overview({ webhook, replace }: { webhook: Webhook; replace: ReplaceWebhook }) {
  const { api, notify, confirm, canManage } = useSession();
  const action = useAction();
  const [editing, setEditing] = useState(false);

  const toggle = async () => {
    const toggled = await action.run(() => toggleWebhook(api, webhook), { notifyErrors: true });
    if (!toggled) return;
    replace(toggled);
    notify('success', `Webhook ${toggled.enabled ? 'enabled' : 'disabled'}`);
  };

  const remove = async () => {
    if (!(await confirmWebhookDeletion(confirm, webhook))) return;
    const deleted = await action.run(() => deleteWebhook(api, webhook), { notifyErrors: true });
    if (!deleted) return;
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
        {canManage && (
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
        )}
      </div>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="webhook-status">
            <EnabledBadge enabled={webhook.enabled} />
          </dd>
        </div>
        <CircuitFact circuit={webhook.circuit} />
        {webhook.disabledReason && (
          <div>
            <dt>Disabled by Hookline because</dt>
            <dd>{webhook.disabledReason}</dd>
          </div>
        )}
        <div>
          <dt>Order by call</dt>
          <dd data-testid="webhook-order-by-call">
            {webhook.orderByCall ? "On: each call's events in order" : 'Off'}
          </dd>
        </div>
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
      <CircuitDetails circuit={webhook.circuit} />
      <DeliverySettings webhook={webhook} />
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
