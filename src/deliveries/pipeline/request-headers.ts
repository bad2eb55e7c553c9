import type { Keyring } from '../../shared/keyring.ts';
import { USER_AGENT } from '../../shared/version.ts';
import { maskHeaderValue, openHeaders } from '../../webhooks/endpoint-headers.ts';
import { activeSigningSecrets, type Webhook } from '../../webhooks/webhook.ts';
import { buildHeaders } from './build-headers.ts';
import { sign } from './sign.ts';

export interface RequestHeadersInput {
  webhook: Webhook;
  /** Opens the webhook's sealed signing secrets and static headers. */
  keyring: Keyring;
  /** The message id: the delivery's id, the same for every attempt at it. */
  msgId: string;
  body: string;
  startedAt: Date;
  /** W3C trace headers for a webhook that asks for them (telemetry/trace-context.ts). */
  traceContext?: Record<string, string>;
  /** Headers of the request's own kind (a call setup's deadline). */
  extra?: Record<string, string>;
}

export interface RequestHeaders {
  /** What goes on the wire. */
  sent: Record<string, string>;
  /** What the attempt log keeps: the same, with the webhook's static header values masked. */
  logged: Record<string, string>;
}

/**
 * The headers of one request to an endpoint, a delivery attempt's or a call setup's try: the
 * webhook's static headers, then the signed Standard Webhooks headers, which come last so that
 * nothing set on the webhook can stand in for them (endpoint-headers.ts reserves their names
 * anyway).
 */
export function requestHeaders(input: RequestHeadersInput): RequestHeaders {
  const { webhook, keyring, msgId, startedAt } = input;
  const timestamp = Math.floor(startedAt.getTime() / 1000);
  const signature = sign({
    secrets: activeSigningSecrets(webhook, keyring, startedAt),
    msgId,
    timestamp,
    body: input.body,
  });
  const own = {
    ...buildHeaders({
      msgId,
      timestamp,
      signature,
      userAgent: USER_AGENT,
      traceContext: input.traceContext,
    }),
    ...input.extra,
  };
  const custom = openHeaders(keyring, webhook.id, webhook.sealedHeaders);
  return {
    sent: { ...Object.fromEntries(custom.map((h) => [h.name, h.value])), ...own },
    logged: {
      ...Object.fromEntries(custom.map((h) => [h.name, maskHeaderValue(h.value)])),
      ...own,
    },
  };
}
