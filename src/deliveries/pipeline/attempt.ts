import type { Tracer } from '@opentelemetry/api';
import type { DeliveryClient } from '../../delivery-client/index.ts';
import type { Keyring } from '../../shared/keyring.ts';
import { traceHeadersOf } from '../../telemetry/trace-context.ts';
import type { ListenerRelay } from '../../webhooks/listener-relay.ts';
import { endAttemptSpan, startAttemptSpan } from './attempt-span.ts';
import { buildMessage } from './build-message.ts';
import type { DeliveryContext } from './load-contexts.ts';
import { requestHeaders } from './request-headers.ts';
import type { AttemptResult } from './settlement.ts';

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
  /** Hands a LISTENER webhook's request to its `hookline listen` instead of POSTing it. */
  listeners: ListenerRelay;
}

/**
 * One attempt, in its span (attempt-span.ts): build the message, sign it, send it (POST, or to
 * the webhook's listener: the same signed request either way).
 */
export async function makeAttempt(
  context: DeliveryContext,
  options: AttemptOptions,
): Promise<AttemptResult> {
  const { delivery, event, webhook } = context;
  const span = startAttemptSpan(options.tracer, context, options.probe);
  const startedAt = new Date();
  const body = buildMessage(event);
  // The delivery id is the message id: stable across retries and redeliveries, so receivers
  // can drop duplicates.
  const headers = requestHeaders({
    webhook,
    keyring: options.keyring,
    msgId: delivery.id,
    body,
    startedAt,
    // Empty when tracing is off: a no-op span names no trace.
    traceContext: webhook.sendTraceContext ? traceHeadersOf(span) : undefined,
  });
  const request = {
    headers: headers.sent,
    body,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  };
  const outcome =
    webhook.kind === 'LISTENER'
      ? await options.listeners.send({
          ...request,
          organizationId: webhook.organizationId,
          webhookId: webhook.id,
          deliveryId: delivery.id,
        })
      : await options.client.send({ ...request, url: webhook.url });
  endAttemptSpan(span, outcome);
  return { startedAt, requestHeaders: headers.logged, outcome, probe: options.probe };
}
