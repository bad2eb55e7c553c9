/**
 * The failures a client is meant to see, as plain error classes: services throw them without
 * knowing about GraphQL, and the edge (src/graphql/errors.ts) turns each into a GraphQL error
 * with `extensions.code` and its details. Anything thrown that is not one of these is masked
 * (the client sees "Unexpected error.") and logged.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'SLOW_CONSUMER'
  | 'RESUME_TOO_FAR'
  | 'QUERY_LIMIT_EXCEEDED';

export class DomainError extends Error {
  readonly code: ErrorCode;
  /** What the client gets beside the code, in `extensions`: ids, fields, limits. */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(message: string, code: ErrorCode, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class BadUserInputError extends DomainError {
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

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super(`${what} ${id} was not found`, 'NOT_FOUND', { id });
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid API key is required: send Authorization: Bearer <key>') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'FORBIDDEN', details);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, 'CONFLICT', details);
  }
}

export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`, 'RATE_LIMITED', {
      retryAfterSeconds,
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Which limit of a GraphQL document was exceeded (see src/http/limits.ts). */
export type QueryLimitName = 'length' | 'tokens' | 'depth' | 'cost' | 'aliases' | 'directives';

/** A document over one of the query limits: refused before anything runs. */
export class QueryLimitError extends DomainError {
  constructor(limit: QueryLimitName, max: number, actual: number | undefined, detail: string) {
    super(`Query too large: ${detail}`, 'QUERY_LIMIT_EXCEEDED', { limit, max, actual });
  }
}

/** A subscriber read more slowly than its feed produced, and its bounded buffer filled up. */
export class SlowConsumerError extends DomainError {
  constructor(bufferSize: number) {
    super(
      `This subscription fell behind: ${bufferSize} items were waiting for the client, so it was ended. Subscribe again, and catch up on what was missed with the deliveries query.`,
      'SLOW_CONSUMER',
      { bufferSize },
    );
  }
}

/**
 * A live feed cannot be resumed from `after`: what was missed is older than the feed keeps
 * (`maxAgeMs`) or more than it replays (`maxItems`). The deliveries query reads it instead.
 */
export class ResumeTooFarError extends DomainError {
  constructor(limits: { maxAgeMs: number; maxItems: number }) {
    super(
      `Cannot resume this subscription from \`after\`: a live feed replays at most the last ${limits.maxAgeMs / 60_000} minutes and ${limits.maxItems} items. Subscribe without \`after\`, and catch up on what was missed with the deliveries query.`,
      'RESUME_TOO_FAR',
      { ...limits },
    );
  }
}

/** Which cap on live connections was reached (see src/auth/key-revocation.ts, websocket.ts). */
export type ConnectionLimitName = 'connectionsPerKey' | 'subscriptionsPerConnection';

/**
 * One live connection or subscription too many: refused with RATE_LIMITED (over WebSocket, the
 * socket is closed with 4429 instead). `extensions.limit` names the cap, `max` its value.
 */
export class ConnectionLimitError extends DomainError {
  constructor(limit: ConnectionLimitName, max: number) {
    super(
      limit === 'connectionsPerKey'
        ? `Too many live connections: this API key already holds ${max} (WebSockets and SSE streams) in this server process; close one first`
        : `Too many subscriptions: at most ${max} operations may be open at once on one WebSocket`,
      'RATE_LIMITED',
      { limit, max },
    );
  }
}
