import { type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '@opentelemetry/semantic-conventions';
import type { SendOutcome } from '../../delivery-client/index.ts';
import { ATTR } from '../../telemetry/attributes.ts';
import { linksTo, markFailed } from '../../telemetry/trace-context.ts';
import type { DeliveryContext } from './load-contexts.ts';
import { attemptErrorKind } from './settlement.ts';

/**
 * `delivery attempt` (CLIENT): one per request to an endpoint, first attempts, retries,
 * redeliveries and circuit probes alike. Each is the root of a trace of its own, linked to the
 * `event ingest` span of its event (stored with the event: events/ingest-spans.ts), because
 * attempts run in other processes, hours apart, and retries are jobs the worker creates itself;
 * the messaging conventions link a message's processing to its creation the same way. Ids and
 * numbers only: never the URL (it may carry a token), headers, payload or secret.
 */
export function startAttemptSpan(tracer: Tracer, context: DeliveryContext, probe: boolean): Span {
  const span = tracer.startSpan('delivery attempt', {
    kind: SpanKind.CLIENT,
    root: true,
    links: linksTo(context.event.traceparent),
  });
  if (!span.isRecording()) return span;
  span.setAttributes({
    [ATTR.organizationId]: context.delivery.organizationId,
    [ATTR.webhookId]: context.webhook.id,
    [ATTR.deliveryId]: context.delivery.id,
    [ATTR.eventId]: context.event.id,
    [ATTR.eventType]: context.event.type,
    [ATTR.attemptNumber]: context.delivery.attemptCount + 1,
    [ATTR_HTTP_REQUEST_METHOD]: 'POST',
    ...(probe ? { [ATTR.attemptProbe]: true } : {}),
  });
  return span;
}

export function endAttemptSpan(span: Span, outcome: SendOutcome): void {
  if (span.isRecording()) {
    if (outcome.status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
    const errorKind = attemptErrorKind(outcome);
    if (errorKind) markFailed(span, errorKind);
  }
  span.end();
}
