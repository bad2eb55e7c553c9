/**
 * The attributes Hookline puts on its spans, beside the semantic conventions' own (`error.type`,
 * `http.request.method`, `http.response.status_code`). Ids and numbers only: never a payload, a
 * header, a URL (it may carry a token) or a secret. docs/operations.md lists them.
 */
export const ATTR = {
  organizationId: 'hookline.organization.id',
  requestId: 'hookline.request.id',
  eventId: 'hookline.event.id',
  eventType: 'hookline.event.type',
  /** The idempotency key was used before: the first event was returned, nothing was stored. */
  eventReplayed: 'hookline.event.replayed',
  /** Deliveries the event created. */
  eventDeliveries: 'hookline.event.deliveries',
  /** Emits written by one group-committed transaction. */
  batchSize: 'hookline.ingest.batch_size',
  webhookId: 'hookline.webhook.id',
  deliveryId: 'hookline.delivery.id',
  attemptNumber: 'hookline.attempt.number',
  /** The attempt was its endpoint's circuit probe. */
  attemptProbe: 'hookline.attempt.probe',
  // The GraphQL conventions are still in the "incubating" entry point: copied, not imported.
  graphqlOperationType: 'graphql.operation.type',
  graphqlOperationName: 'graphql.operation.name',
} as const;
