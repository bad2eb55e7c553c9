import type { DashboardWebhookDetailsFragment } from '../../../generated/graphql.ts';

/** The webhook a details page shows. */
export type Webhook = DashboardWebhookDetailsFragment;

/** How a section puts a mutation's result into the page's webhook. */
export type ReplaceWebhook = (next: Partial<Webhook>) => void;
