import type { Tracer } from '@opentelemetry/api';
import type { DeliveryClient } from '../../delivery-client/index.ts';
import type { Keyring } from '../../shared/keyring.ts';
import { USER_AGENT } from '../../shared/version.ts';
import { traceHeadersOf } from '../../telemetry/trace-context.ts';
import { maskHeaderValue, openHeaders } from '../../webhooks/endpoint-headers.ts';
import { activeSigningSecrets } from '../../webhooks/webhook.ts';
import { endAttemptSpan, startAttemptSpan } from './attempt-span.ts';
import { buildHeaders } from './build-headers.ts';
import { buildMessage } from './build-message.ts';
import type { DeliveryContext } from './load-contexts.ts';
import type { AttemptResult } from './settlement.ts';
import { sign } from './sign.ts';

export interface AttemptOptions {
  client: DeliveryClient;
  /** Opens the webhook's sealed signing secrets and headers. */
  keyring: Keyring;
  /** This endpoint's timeout for the whole request (webhook.ts effectiveTimeoutMs). */
  timeoutMs: number;
  probe: boolean;
  signal?: AbortSignal;
  /** Makes the attempt's span; a no-op tracer when tracing is off. */
  tracer: Tracer;
}

/** One attempt, in its span (attempt-span.ts): build the message, sign it, send it. */
export async function makeAttempt(
  context: DeliveryContext,
  options: AttemptOptions,
): Promise<AttemptResult> {
  const { delivery, event, webhook } = context;
  const span = startAttemptSpan(options.tracer, context, options.probe);
  const startedAt = new Date();
  const timestamp = Math.floor(startedAt.getTime() / 1000);
  const body = buildMessage(event);
  // The delivery id is the message id: stable across retries and redeliveries, so receivers
  // can drop duplicates.
  const signature = sign({
    secrets: activeSigningSecrets(webhook, options.keyring, startedAt),
    msgId: delivery.id,
    timestamp,
    body,
  });
  const headers = buildHeaders({
    msgId: delivery.id,
    timestamp,
    signature,
    userAgent: USER_AGENT,
    // Empty when tracing is off: a no-op span names no trace.
    traceContext: webhook.sendTraceContext ? traceHeadersOf(span) : undefined,
  });
  // The webhook's own static headers go out as set, but the attempt log keeps them masked.
  const custom = openHeaders(options.keyring, webhook.id, webhook.sealedHeaders);
  const outcome = await options.client.send({
    url: webhook.url,
    headers: { ...Object.fromEntries(custom.map((h) => [h.name, h.value])), ...headers },
    body,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  endAttemptSpan(span, outcome);
  const logged = { ...Object.fromEntries(custom.map((h) => [h.name, maskHeaderValue(h.value)])) };
  return { startedAt, requestHeaders: { ...logged, ...headers }, outcome, probe: options.probe };
}
