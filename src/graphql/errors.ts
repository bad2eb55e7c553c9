import { GraphQLError } from 'graphql';
import { maskError as maskUnexpected } from 'graphql-yoga';
import { DomainError, type ErrorCode } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

/** How Yoga reports an error over HTTP: its status, and headers such as Retry-After. */
export interface HttpHint {
  status: number;
  headers?: Record<string, string>;
}

/**
 * The one place where a domain error becomes a GraphQL error: its message, `extensions.code`
 * and details. `located` keeps the path and locations graphql-js gave a resolver's error; `http`
 * is for the HTTP edge only (Yoga turns it into the status and headers, graphql-ws has none).
 */
export function toGraphQLError(
  error: DomainError,
  options: { located?: GraphQLError; http?: HttpHint } = {},
): GraphQLError {
  const { located, http } = options;
  return new GraphQLError(error.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: { code: error.code, ...error.details, ...(http ? { http } : {}) },
  });
}

/**
 * Yoga's error masking, with domain errors let through as what they mean: an error a resolver
 * threw arrives wrapped by graphql-js (its `originalError`), one from a subscription's stream or
 * the context arrives as it was thrown. Everything else is masked and logged.
 */
export function maskErrors(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof DomainError) {
      return toGraphQLError(original, {
        located: error instanceof GraphQLError ? error : undefined,
      });
    }
    const masked = maskUnexpected(error, message, isDev);
    if (masked !== error) logger.error({ err: original ?? error }, 'internal error');
    return masked;
  };
}

/**
 * A field's description followed by the errors a client should expect from it, by code, so
 * that they show in the SDL and in GraphiQL (the codes are in docs/api.md). Anything else is
 * an internal error.
 */
export function withExpectedErrors(
  description: string,
  errors: Partial<Record<ErrorCode, string>>,
): string {
  const lines = Object.entries(errors).map(([code, when]) => `- ${code}: ${when}`);
  return `${description}\n\nExpected errors:\n${lines.join('\n')}`;
}
