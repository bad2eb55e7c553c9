import type { Generated, Selectable } from 'kysely';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** HTTP: POSTed to its URL. LISTENER: relayed to a connected `hookline listen` (listener-relay.ts). */
export type WebhookKind = 'HTTP' | 'LISTENER';

export interface WebhooksTable {
  id: string;
  organization_id: string;
  url: string;
  kind: Generated<WebhookKind>;
  description: Generated<string>;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  /** Sealed (shared/keyring.ts), like previous_signing_secret and headers. */
  signing_secret: string;
  previous_signing_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** Static request headers, sealed as one JSON value; null: none. */
  headers: string | null;
  /** The organization's one operational endpoint: operational events only. */
  operational: Generated<boolean>;
  /** Start of the current unbroken run of failed attempts; null after any success. */
  failing_since: Date | null;
  /** Per-endpoint settings; null means the configured default. */
  max_concurrency: number | null;
  rate_limit_per_second: number | null;
  timeout_ms: number | null;
  /** Send W3C trace context headers with each attempt (when tracing is on). */
  send_trace_context: Generated<boolean>;
  /** Deliveries of one call go out one at a time, in order (deliveries/policies/call-order.ts). */
  order_by_call: Generated<boolean>;
  circuit_state: Generated<CircuitState>;
  /** Failed attempts in a row (any success resets it). */
  circuit_failures: Generated<number>;
  circuit_opened_at: Date | null;
  circuit_next_probe_at: Date | null;
  /** Probes that failed since the circuit opened: each doubles the wait before the next. */
  circuit_failed_probes: Generated<number>;
  /** The one delivery a half-open circuit lets through. */
  circuit_probe_delivery_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface WebhookSubscriptionsTable {
  id: string;
  organization_id: string;
  webhook_id: string;
  agent_id: string;
  /** GraphQL enum names of the subscribed event types. */
  events: string[];
  /** This webhook answers the agent's call setups (at most one per agent). */
  responds_to_call_setup: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>;

/** The next free send slot of a rate-limited endpoint, shared by every worker. */
export interface EndpointRateSlotsTable {
  webhook_id: string;
  next_slot_at: Date;
}
