import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { ATTR } from '../telemetry/attributes.ts';
import { contextFromHeaders, markFailed } from '../telemetry/trace-context.ts';
import { errorCodesOf, type ResultLike } from './request-log.ts';

/**
 * One SERVER span per GraphQL operation, installed only when tracing is on. Over HTTP it runs
 * from the parsed parameters to the response (authentication, validation and execution), and
 * continues the caller's trace when the request carries a W3C `traceparent`; over WebSocket it
 * covers the execution of each query or mutation. Subscriptions over WebSocket, which last as
 * long as a dashboard stays open, get none. The span's context goes into the GraphQL context
 * (`traceContext`), where resolvers pass it on explicitly (emitEvent to the ingest).
 *
 * Our own rather than @envelop/opentelemetry: that plugin depends on the 1.x SDK
 * (@opentelemetry/sdk-trace-base ^1), which would install a second SDK beside ours; it reads the
 * parent from the global context manager and does not read `traceparent`; and by default it
 * records the document, which may hold a payload inline. See docs/operations.md#tracing.
 */
export function useOperationSpans(tracer: Tracer): Plugin {
  const spans = new WeakMap<Request, Span>();

  const describe = (
    span: Span,
    args: {
      document: Parameters<typeof getOperationAST>[0];
      operationName?: string | null;
      contextValue: unknown;
    },
  ) => {
    const operation = getOperationAST(args.document, args.operationName);
    const type = operation?.operation ?? 'query';
    const name = operation?.name?.value;
    span.updateName(name ? `${type} ${name}` : type);
    const context = args.contextValue as Partial<GraphQLContext>;
    span.setAttributes({
      [ATTR.graphqlOperationType]: type,
      ...(name ? { [ATTR.graphqlOperationName]: name } : {}),
      ...(context.requestId ? { [ATTR.requestId]: context.requestId } : {}),
      ...(context.viewer?.kind === 'organization'
        ? { [ATTR.organizationId]: context.viewer.organizationId }
        : {}),
    });
  };

  const recordResult = (span: Span, result: ResultLike) => {
    const [code] = errorCodesOf(result);
    if (code) markFailed(span, code, code === 'INTERNAL_SERVER_ERROR');
  };

  return {
    onParams({ request }) {
      spans.set(
        request,
        tracer.startSpan('graphql', { kind: SpanKind.SERVER }, contextFromHeaders(request.headers)),
      );
    },
    onExecute({ args, extendContext }) {
      const request = (args.contextValue as { request?: Request }).request;
      const httpSpan = request && spans.get(request);
      const span = httpSpan ?? tracer.startSpan('graphql', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      describe(span, args);
      const traceContext: Context = trace.setSpan(ROOT_CONTEXT, span);
      // Yoga types plugins' contexts as its own; this one is GraphQLContext['traceContext'].
      extendContext({ traceContext } as Record<string, unknown>);
      if (httpSpan) return;
      return {
        onExecuteDone: ({ result }) => {
          recordResult(span, result as ResultLike);
          span.end();
        },
      };
    },
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const span = request && spans.get(request);
      if (span) describe(span, args);
    },
    onExecutionResult({ request, result }) {
      const span = spans.get(request);
      if (span) recordResult(span, result as ResultLike);
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      spans.delete(request);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 500) markFailed(span, String(response.status), true);
      span.end();
    },
  };
}
