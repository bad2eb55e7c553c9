import { DashboardWebhookDocument } from '../../../generated/graphql.ts';
import { useDocumentTitle, useQuery } from '../../hooks.ts';
import { ObjectPage } from '../../ui/layout.tsx';
import { Deliveries } from './deliveries.tsx';
import { useDeliveryChanges, useReloadOnChanges } from './delivery-changes.ts';
import { Health } from './health.tsx';
import { Overview } from './overview.tsx';
import { SigningSecret } from './signing-secret.tsx';
import { Subscriptions } from './subscriptions.tsx';
import type { Webhook } from './webhook.ts';

/** A webhook's page: one section a file, each loading and changing what it shows. */
export function WebhookDetailsScreen({ id }: { id: string }) {
  const query = useQuery(DashboardWebhookDocument, { id });
  const webhook = query.data?.webhook;
  useDocumentTitle(webhook ? webhook.url : 'Webhook');
  const changes = useDeliveryChanges(id);
  // The circuit opens and closes as deliveries fail and succeed.
  useReloadOnChanges(changes, query);
  const replace = (next: Partial<Webhook>) =>
    query.setData((data) => ({ webhook: data.webhook && { ...data.webhook, ...next } }));
  return (
    <ObjectPage
      query={query}
      object={webhook}
      id={id}
      noun="webhook"
      parent={{ href: '#/webhooks', label: 'Webhooks' }}
      name={(w) => w.url}
      titleId="webhook-title"
    >
      {(webhook) => (
        <>
          <Overview webhook={webhook} replace={replace} />
          <Health webhookId={webhook.id} changes={changes} />
          <SigningSecret webhook={webhook} replace={replace} />
          <Subscriptions webhook={webhook} />
          <Deliveries webhook={webhook} changes={changes} />
        </>
      )}
    </ObjectPage>
  );
}
