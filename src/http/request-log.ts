import { randomUUID } from 'node:crypto';
import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * One log line per GraphQL request over HTTP, written when the response goes out, and one per
 * operation over WebSocket, written when it ends: request id, operation name and type, who asked
 * (organization id or "operator"), duration, HTTP status and the error codes of the result.
 * Never the query text, variables, headers or result data: those are where keys and secrets
 * travel. The request id is also sent back as `x-request-id` so a client can quote it.
 */
interface RequestState {
  startedAt: number;
  /** Until the GraphQL context exists (it does not for unparsable or invalid documents). */
  requestId: string;
  graphql: boolean;
  operationName?: string | null;
  operationType?: string;
  context?: Partial<GraphQLContext>;
  errorCodes: string[];
  streamed: boolean;
}

type ResultLike = ExecutionResult | readonly ExecutionResult[] | AsyncIterable<unknown> | undefined;

function errorCodesOf(result: ResultLike): string[] {
  if (!result || Symbol.asyncIterator in result) return [];
  const results = Array.isArray(result) ? result : [result as ExecutionResult];
  const codes: string[] = [];
  for (const r of results) {
    for (const error of r.errors ?? []) {
      const code = error.extensions?.code;
      codes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
    }
  }
  return [...new Set(codes)];
}

/** Who asked; `viewer` is null when the request failed before its key was looked at. */
function who(context: Partial<GraphQLContext> | undefined) {
  if (!context || !('viewer' in context)) return { organizationId: null, viewer: null };
  const viewer = context.viewer;
  return {
    organizationId: viewer?.kind === 'organization' ? viewer.organizationId : null,
    viewer: viewer?.kind ?? 'anonymous',
  };
}

function describe(document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  return { name: operation?.name?.value ?? operationName ?? null, type: operation?.operation };
}

export function useRequestLog(logger: Logger): Plugin {
  const requests = new WeakMap<Request, RequestState>();
  const stateOf = (context: { request?: Request }) =>
    context.request ? requests.get(context.request) : undefined;

  /** WebSocket operations have no HTTP request: each is logged when it ends. */
  const logSocketOperation = (
    context: Partial<GraphQLContext>,
    described: ReturnType<typeof describe>,
    startedAt: number,
    result: ResultLike,
  ) => {
    logger.info(
      {
        requestId: context.requestId,
        transport: 'ws',
        operationName: described.name,
        operationType: described.type,
        ...who(context),
        durationMs: Math.round(performance.now() - startedAt),
        errorCodes: errorCodesOf(result),
      },
      'graphql operation',
    );
  };

  /**
   * Names the operation on its HTTP request's state, to be logged with the response; an
   * operation with no HTTP request (WebSocket) is returned, to be logged when it ends.
   */
  const socketOperation = (args: {
    contextValue: unknown;
    document: DocumentNode;
    operationName?: string | null;
  }) => {
    const context = args.contextValue as Partial<GraphQLContext> & { request?: Request };
    const described = describe(args.document, args.operationName);
    const state = stateOf(context);
    if (!state) return { context, described, startedAt: performance.now() };
    state.operationName = described.name;
    state.operationType = described.type;
    state.context = context;
    return undefined;
  };

  return {
    onRequest({ request }) {
      requests.set(request, {
        startedAt: performance.now(),
        requestId: request.headers.get('x-request-id')?.slice(0, 200) || randomUUID(),
        graphql: false,
        errorCodes: [],
        streamed: false,
      });
    },
    onParams({ request, params }) {
      const state = requests.get(request);
      if (!state) return;
      state.graphql = true;
      state.operationName = params.operationName ?? null;
    },
    onExecute({ args }) {
      const socket = socketOperation(args);
      if (!socket) return;
      const { context, described, startedAt } = socket;
      return {
        onExecuteDone: ({ result }) => logSocketOperation(context, described, startedAt, result),
      };
    },
    onSubscribe({ args }) {
      const socket = socketOperation(args);
      if (!socket) return;
      const { context, described, startedAt } = socket;
      return {
        onSubscribeResult: ({ result }) => {
          // A refused subscription is a plain result; an accepted one is logged when it ends.
          if (!(Symbol.asyncIterator in result)) {
            logSocketOperation(context, described, startedAt, result);
            return;
          }
          return { onEnd: () => logSocketOperation(context, described, startedAt, undefined) };
        },
      };
    },
    onExecutionResult({ request, result, context }) {
      const state = requests.get(request);
      if (!state) return;
      state.context ??= context as Partial<GraphQLContext>;
      state.errorCodes = errorCodesOf(result as ResultLike);
      state.streamed = result !== undefined && Symbol.asyncIterator in result;
    },
    onResponse({ request, response }) {
      const state = requests.get(request);
      requests.delete(request);
      // GraphQL requests reach onParams, and so do not GraphiQL's page or CORS preflights; a
      // request refused before its parameters were read (too large, malformed) is logged too.
      if (!state || (!state.graphql && response.status < 400)) return;
      const requestId = state.context?.requestId ?? state.requestId;
      response.headers.set('x-request-id', requestId);
      logger.info(
        {
          requestId,
          transport: state.streamed ? 'sse' : 'http',
          operationName: state.operationName ?? null,
          operationType: state.operationType,
          ...who(state.context),
          // For a subscription over SSE: the time to the start of the stream.
          durationMs: Math.round(performance.now() - state.startedAt),
          status: response.status,
          errorCodes: state.errorCodes,
        },
        'graphql request',
      );
    },
  };
}
