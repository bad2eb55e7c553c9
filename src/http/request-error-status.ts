import { type ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * The GraphQL-over-HTTP spec: a response under `application/graphql-response+json` that has no
 * `data` must carry a 4xx or 5xx status. Yoga sees to it for its own request errors (parsing,
 * validation, variables); a refusal made by a plugin before execution (the unstorable-text
 * rule, say) would otherwise answer 200. Such errors get 400 here, marked as the spec's own
 * (`spec: true`), so that under `application/json` Yoga keeps the 200 the spec asks for there.
 * Errors that already choose a status (429, 413, ...) and internal errors (500) are left alone.
 */
export function useRequestErrorStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      const single = result as ExecutionResult;
      if (single.data !== undefined || !single.errors?.length) return;
      if (!single.errors.every(isPlainRequestError)) return;
      setResult({ ...single, errors: single.errors.map(withBadRequestStatus) });
    },
  };
}

function isPlainRequestError(error: GraphQLError): boolean {
  const extensions = error.extensions as { http?: { status?: number }; unexpected?: boolean };
  return !extensions.http?.status && !extensions.unexpected;
}

function withBadRequestStatus(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, http: { status: 400, spec: true } },
  });
}
