import { GraphQLError } from 'graphql';

/**
 * The failures a client is meant to see. Each carries its `extensions.code`; anything thrown that
 * is not one of these is masked by Yoga (the client sees "Unexpected error.") and logged.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SLOW_CONSUMER'
  | 'QUERY_LIMIT_EXCEEDED';

export class HooklineError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
    this.name = 'HooklineError';
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class BadUserInputError extends HooklineError {
  constructor(problems: FieldProblem[]) {
    const summary = problems
      .map((p) => (p.field ? `${p.field}: ${p.message}` : p.message))
      .join('; ');
    super(`Invalid input: ${summary}`, 'BAD_USER_INPUT', {
      field: problems[0]?.field,
      problems,
    });
  }
}

export class NotFoundError extends HooklineError {
  constructor(what: string, id: string) {
    super(`${what} ${id} was not found`, 'NOT_FOUND', { id });
  }
}

export class UnauthenticatedError extends HooklineError {
  constructor(message = 'A valid API key is required: send Authorization: Bearer <key>') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends HooklineError {
  constructor(message: string) {
    super(message, 'FORBIDDEN');
  }
}

export class ConflictError extends HooklineError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, 'CONFLICT', extensions);
  }
}

export class RateLimitedError extends HooklineError {
  /** `extensions` adds transport hints, e.g. Yoga's `http` (status 429 and Retry-After). */
  constructor(retryAfterSeconds: number, extensions: Record<string, unknown> = {}) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`, 'RATE_LIMITED', {
      retryAfterSeconds,
      ...extensions,
    });
  }
}

/** Which limit of a GraphQL document was exceeded (see src/http/limits.ts). */
export type QueryLimitName = 'length' | 'tokens' | 'depth' | 'cost' | 'aliases' | 'directives';

/** A document over one of the query limits: refused before anything runs. */
export class QueryLimitError extends HooklineError {
  constructor(limit: QueryLimitName, max: number, actual: number | undefined, detail: string) {
    super(`Query too large: ${detail}`, 'QUERY_LIMIT_EXCEEDED', { limit, max, actual });
  }
}

/** A subscriber read more slowly than its feed produced, and its bounded buffer filled up. */
export class SlowConsumerError extends HooklineError {
  constructor(bufferSize: number) {
    super(
      `This subscription fell behind: ${bufferSize} items were waiting for the client, so it was ended. Subscribe again, and catch up on what was missed with the deliveries query.`,
      'SLOW_CONSUMER',
      { bufferSize },
    );
  }
}

/** Which cap on live connections was reached (see src/auth/key-revocation.ts, websocket.ts). */
export type ConnectionLimitName = 'connectionsPerKey' | 'subscriptionsPerConnection';

/**
 * One live connection or subscription too many: refused with RATE_LIMITED (over WebSocket, the
 * socket is closed with 4429 instead). `extensions.limit` names the cap, `max` its value.
 */
export class ConnectionLimitError extends HooklineError {
  constructor(limit: ConnectionLimitName, max: number, extensions: Record<string, unknown> = {}) {
    super(
      limit === 'connectionsPerKey'
        ? `Too many live connections: this API key already holds ${max} (WebSockets and SSE streams) in this server process; close one first`
        : `Too many subscriptions: at most ${max} operations may be open at once on one WebSocket`,
      'RATE_LIMITED',
      { limit, max, ...extensions },
    );
  }
}
