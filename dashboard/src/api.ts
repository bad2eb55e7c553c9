import type { TypedDocumentString } from '../generated/graphql.ts';

/** One invalid input field, as the API reports it in `extensions.problems`. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string; problems?: FieldProblem[]; [key: string]: unknown };
}

/**
 * A request that did not produce data. `code` is the API's `extensions.code` (BAD_USER_INPUT,
 * NOT_FOUND, UNAUTHENTICATED, FORBIDDEN, CONFLICT, RATE_LIMITED, ...), or NETWORK when no answer
 * came, or INTERNAL when the server masked what went wrong.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly problems: readonly FieldProblem[];
  readonly extensions: Readonly<Record<string, unknown>>;
  constructor(
    message: string,
    code: string,
    extensions: Record<string, unknown> = {},
    problems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.extensions = extensions;
    this.field = typeof extensions.field === 'string' ? extensions.field : undefined;
    this.problems = problems;
  }
}

export function apiErrorFrom(errors: readonly GraphQLErrorShape[], status: number): ApiError {
  const first = errors[0];
  if (!first) return new ApiError(`The server answered HTTP ${status}`, 'HTTP');
  const extensions = first.extensions ?? {};
  const code = extensions.code ?? (first.message === 'Unexpected error.' ? 'INTERNAL' : 'UNKNOWN');
  const problems = Array.isArray(extensions.problems)
    ? extensions.problems.filter(
        (p): p is FieldProblem => typeof p?.field === 'string' && typeof p?.message === 'string',
      )
    : [];
  return new ApiError(first.message, code, extensions, problems);
}

type VariablesArg<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

export interface Api {
  request<R, V>(document: TypedDocumentString<R, V>, ...variables: VariablesArg<V>): Promise<R>;
}

/**
 * Queries and mutations over HTTP POST to this server's /graphql, with the session's key. Every
 * failure becomes an ApiError; an UNAUTHENTICATED one also ends the session, because no other
 * request with that key can succeed either.
 */
export function createApi(apiKey: string, onUnauthenticated: (error: ApiError) => void): Api {
  return {
    async request(document, ...[variables]) {
      let response: Response;
      try {
        response = await fetch('/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization: `Bearer ${apiKey}`,
          },
          body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
        });
      } catch (error) {
        throw new ApiError(`Cannot reach Hookline: ${String(error)}`, 'NETWORK');
      }
      const body = (await response.json().catch(() => ({}))) as {
        data?: unknown;
        errors?: GraphQLErrorShape[];
      };
      if (body.errors?.length || body.data == null) {
        const error = apiErrorFrom(body.errors ?? [], response.status);
        if (error.code === 'UNAUTHENTICATED') onUnauthenticated(error);
        throw error;
      }
      return body.data as never;
    },
  };
}
