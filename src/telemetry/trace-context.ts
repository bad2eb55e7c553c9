import {
  type Context,
  defaultTextMapSetter,
  isSpanContextValid,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type TextMapGetter,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { DomainError } from '../shared/errors.ts';

/**
 * W3C Trace Context (`traceparent`, `tracestate`) in and out, with the SDK's own propagator,
 * called directly rather than registered globally (see tracing.ts).
 */
const propagator = new W3CTraceContextPropagator();

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const recordGetter: TextMapGetter<Record<string, string>> = {
  get: (record, key) => record[key],
  keys: (record) => Object.keys(record),
};

/**
 * The caller's trace, from a request's `traceparent` and `tracestate`; the root context when
 * there is none or it is malformed (the specification says to start a new trace then).
 */
export function contextFromHeaders(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, headersGetter);
}

/** `traceparent` (and `tracestate`, when it has one) naming this span; empty for a no-op span. */
export function traceHeadersOf(span: Span): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return headers;
}

/**
 * What is stored with an event to link its attempts to its ingest: the span's `traceparent`,
 * or null when it is not sampled (nothing of it is exported, so there is nothing to link to).
 */
export function storedTraceparent(span: Span): string | null {
  const context = span.spanContext();
  if (!isSpanContextValid(context) || !(context.traceFlags & TraceFlags.SAMPLED)) return null;
  return traceHeadersOf(span).traceparent ?? null;
}

/** A link to the span a stored `traceparent` names; none when there is none, or it is invalid. */
export function linksTo(traceparent: string | null | undefined): Link[] {
  if (!traceparent) return [];
  const context = trace.getSpanContext(
    propagator.extract(ROOT_CONTEXT, { traceparent }, recordGetter),
  );
  return context && isSpanContextValid(context) ? [{ context }] : [];
}

/**
 * Names what went wrong, as a short, low-cardinality kind (never an error message: it may quote
 * input); `failed` also sets the span's status to ERROR (not for a caller's own mistakes).
 */
export function markFailed(span: Span, errorType: string, failed = true): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
}

/** An error's kind for `error.type`: a domain error's code, else the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof DomainError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
