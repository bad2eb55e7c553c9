import { useState } from 'preact/hooks';
import {
  type DashboardDeliveryFragment,
  DashboardWebhookDeliveriesDocument,
  type DashboardWebhookDeliveriesQuery,
  type DeliveryStatus,
} from '../../../generated/graphql.ts';
import { type ListLens, usePagedList } from '../../paging.ts';
import { LoadMoreButton } from '../../ui/buttons.tsx';
import { Loaded } from '../../ui/feedback.tsx';
import { SelectField } from '../../ui/fields.tsx';
import { Card } from '../../ui/layout.tsx';
import { useReloadOnChanges } from './delivery-changes.ts';
import { DeliveryItem } from './delivery-item.tsx';
import { DeliveryTools } from './delivery-tools.tsx';
import type { Webhook } from './webhook.ts';

const STATUS_FILTERS: { value: DeliveryStatus | ''; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'FAILED', label: 'Failed' },
  { value: 'PENDING', label: 'Pending' },
  { value: 'HELD', label: 'Held' },
  { value: 'SUCCEEDED', label: 'Succeeded' },
  { value: 'CANCELLED', label: 'Cancelled' },
];

const DELIVERIES: ListLens<DashboardWebhookDeliveriesQuery, DashboardDeliveryFragment> = {
  get: (data) => data.webhook?.deliveries,
  set: (data, edges) => ({
    webhook: data.webhook && {
      ...data.webhook,
      deliveries: { ...data.webhook.deliveries, edges },
    },
  }),
};

/** The webhook's deliveries, newest first, each with its attempts; kept current as they change. */
export function Deliveries({ webhook, changes }: { webhook: Webhook; changes: number }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const list = usePagedList(
    DashboardWebhookDeliveriesDocument,
    { id: webhook.id, status: status || null },
    'backward',
    DELIVERIES,
  );
  const reload = () => void list.query.reload();
  // Deliveries change as they are attempted: reload when the server says one did.
  useReloadOnChanges(changes, list.query);

  return (
    <Card
      id="deliveries"
      title="Deliveries"
      actions={
        <a class="button small" href={`#/live?webhook=${encodeURIComponent(webhook.id)}`}>
          Watch live
        </a>
      }
    >
      <DeliveryTools webhookId={webhook.id} onStarted={reload} />

      <div class="list-header">
        <SelectField
          id="delivery-status-filter"
          label="Show"
          compact
          value={status}
          choices={STATUS_FILTERS}
          onChange={setStatus}
        />
        <button type="button" class="button small" onClick={reload}>
          Refresh
        </button>
      </div>

      <Loaded
        query={list.query}
        data={list.query.data}
        what="deliveries"
        empty={
          list.rows.length === 0 && (
            <p>
              No deliveries{status ? ' with this status' : ''} yet. Send a test event to see one.
            </p>
          )
        }
      >
        {() => (
          <>
            <ul class="deliveries" data-testid="deliveries">
              {list.rows.map((delivery) => (
                <DeliveryItem
                  key={delivery.id}
                  delivery={delivery}
                  webhookEnabled={webhook.enabled}
                  onRedelivered={reload}
                />
              ))}
            </ul>
            <LoadMoreButton list={list} label="Older deliveries" />
          </>
        )}
      </Loaded>
    </Card>
  );
}
