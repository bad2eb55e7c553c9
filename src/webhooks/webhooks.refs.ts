import { builder } from '../graphql/builder.ts';
import type { Webhook } from './webhook.ts';
import type { WebhookSubscription } from './webhook-subscription.ts';

// Refs apart from the schema files that implement them, so those can refer to each other.
export const WebhookRef = builder.objectRef<Webhook>('Webhook');
export const WebhookSubscriptionRef = builder.objectRef<WebhookSubscription>('WebhookSubscription');
