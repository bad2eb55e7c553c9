import { type Context, type Link, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { ATTR } from '../telemetry/attributes.ts';
import { errorTypeOf, markFailed } from '../telemetry/trace-context.ts';

/**
 * The ingest's spans, modelled on the messaging conventions (an event is a message that its
 * deliveries carry to their endpoints):
 *
 * - `event ingest` (PRODUCER), one per emit, child of the GraphQL operation: from the emit's
 *   arrival to its outcome, its wait for the group commit included. Its context is stored with
 *   the event (`events.traceparent`), and every attempt of every delivery of the event links to
 *   it, retries and redeliveries included.
 * - `event ingest batch` (CLIENT), one per group-committed transaction: a root of its own, since
 *   it serves many emits of many traces; it links to each emit's span and each of those links
 *   back to it. An emit whose batch failed and was written again alone links to both.
 */
export interface TracedEmit {
  /** The emit's span, while it records: the batch links to it, the event row stores it. */
  span?: Span;
}

/** Wraps one emit in its span; an emit that is not recorded costs one no-op span. */
export async function traceEmit<
  R extends TracedEmit & { organizationId: string; type: string },
  O extends { event: { id: string }; deliveryIds: readonly string[]; replayed: boolean },
>(tracer: Tracer, request: R, parent: Context, ingest: (request: R) => Promise<O>): Promise<O> {
  const span = tracer.startSpan('event ingest', { kind: SpanKind.PRODUCER }, parent);
  if (!span.isRecording()) {
    span.end();
    return ingest(request);
  }
  span.setAttributes({
    [ATTR.organizationId]: request.organizationId,
    [ATTR.eventType]: request.type,
  });
  try {
    const ingested = await ingest({ ...request, span });
    span.setAttributes({
      [ATTR.eventId]: ingested.event.id,
      [ATTR.eventReplayed]: ingested.replayed,
      [ATTR.eventDeliveries]: ingested.deliveryIds.length,
    });
    return ingested;
  } catch (error) {
    markFailed(span, errorTypeOf(error));
    throw error;
  } finally {
    span.end();
  }
}

/** Runs one batch's transaction in its span, when any of its emits is being recorded. */
export async function traceBatch<T>(
  tracer: Tracer,
  requests: readonly TracedEmit[],
  write: () => Promise<T>,
): Promise<T> {
  const links: Link[] = requests.flatMap((r) =>
    r.span ? [{ context: r.span.spanContext() }] : [],
  );
  if (links.length === 0) return write();
  const span = tracer.startSpan('event ingest batch', {
    kind: SpanKind.CLIENT,
    root: true,
    links,
    attributes: { [ATTR.batchSize]: requests.length },
  });
  for (const request of requests) request.span?.addLink({ context: span.spanContext() });
  try {
    return await write();
  } catch (error) {
    markFailed(span, errorTypeOf(error));
    throw error;
  } finally {
    span.end();
  }
}
