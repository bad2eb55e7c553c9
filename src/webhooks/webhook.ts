import type { EndpointSettings } from '../config/config.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { CircuitState, WebhookKind, WebhookRow } from './webhooks.table.ts';

/** An endpoint's circuit breaker, as the policy in deliveries/policies/circuit-breaker.ts runs it. */
export interface EndpointCircuit {
  state: CircuitState;
  /** Failed attempts in a row. */
  consecutiveFailures: number;
  openedAt: Date | null;
  nextProbeAt: Date | null;
  failedProbes: number;
  probeDeliveryId: string | null;
}

export interface Webhook {
  id: string;
  organizationId: string;
  url: string;
  /** LISTENER: its deliveries go to a connected `hookline listen`, not to `url`. */
  kind: WebhookKind;
  description: string;
  enabled: boolean;
  disabledReason: string | null;
  /** Sealed at rest (shared/keyring.ts): `signingSecretOf` and `activeSigningSecrets` open it. */
  sealedSigningSecret: string;
  /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
  sealedPreviousSigningSecret: string | null;
  previousSecretExpiresAt: Date | null;
  /** Static request headers, sealed as one value (endpoint-headers.ts); null: none. */
  sealedHeaders: string | null;
  /** The organization's operational endpoint (operational events only; not in `webhooks`). */
  operational: boolean;
  failingSince: Date | null;
  /** The webhook's own settings; null follows the configured default. */
  maxConcurrency: number | null;
  rateLimitPerSecond: number | null;
  timeoutMs: number | null;
  /** Attempts carry `traceparent` (and `tracestate`) naming their span, when tracing is on. */
  sendTraceContext: boolean;
  /** A call's deliveries go out one at a time, in order (deliveries/policies/call-order.ts). */
  orderByCall: boolean;
  circuit: EndpointCircuit;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    kind: row.kind,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    sealedSigningSecret: row.signing_secret,
    sealedPreviousSigningSecret: row.previous_signing_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    sealedHeaders: row.headers,
    operational: row.operational,
    failingSince: row.failing_since,
    maxConcurrency: row.max_concurrency,
    rateLimitPerSecond: row.rate_limit_per_second,
    timeoutMs: row.timeout_ms,
    sendTraceContext: row.send_trace_context,
    orderByCall: row.order_by_call,
    circuit: {
      state: row.circuit_state,
      consecutiveFailures: row.circuit_failures,
      openedAt: row.circuit_opened_at,
      nextProbeAt: row.circuit_next_probe_at,
      failedProbes: row.circuit_failed_probes,
      probeDeliveryId: row.circuit_probe_delivery_id,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

/** Where a webhook's signing secrets are bound when sealed: both columns, so rotation moves one. */
export const signingSecretContext = (webhookId: string) => `webhook:${webhookId}:secret`;

export function signingSecretOf(webhook: Webhook, keyring: Keyring): string {
  return keyring.open(webhook.sealedSigningSecret, signingSecretContext(webhook.id));
}

/** The secrets a message is signed with now: the current one, and the previous during its grace. */
export function activeSigningSecrets(
  webhook: Webhook,
  keyring: Keyring,
  now = new Date(),
): string[] {
  const secrets = [signingSecretOf(webhook, keyring)];
  if (
    webhook.sealedPreviousSigningSecret &&
    webhook.previousSecretExpiresAt &&
    webhook.previousSecretExpiresAt > now
  ) {
    secrets.push(
      keyring.open(webhook.sealedPreviousSigningSecret, signingSecretContext(webhook.id)),
    );
  }
  return secrets;
}

/** Attempts this endpoint may have in flight at once, across all workers. */
export function effectiveConcurrency(webhook: Webhook, settings: EndpointSettings): number {
  return Math.min(webhook.maxConcurrency ?? settings.defaultConcurrency, settings.maxConcurrency);
}

/** How long one attempt may take, whole response included. */
export function effectiveTimeoutMs(webhook: Webhook, globalTimeoutMs: number): number {
  return Math.min(webhook.timeoutMs ?? globalTimeoutMs, globalTimeoutMs);
}
