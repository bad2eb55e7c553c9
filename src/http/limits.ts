import { PothosValidationError } from '@pothos/core';
import {
  type ExecutionResult,
  GraphQLError,
  type ParseOptions,
  type Source,
  type ValidationRule,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../config/config.ts';
import { toGraphQLError } from '../graphql/errors.ts';
import { measureDocument } from '../graphql/query-measure.ts';
import { QueryLimitError } from '../shared/errors.ts';
import { TokenBuckets, useMutationRateLimit } from './rate-limit.ts';

/**
 * Limits on what a client may send, the same over HTTP and WebSocket: graphql-ws runs every
 * operation through `yoga.getEnveloped`, so this plugin parses and validates both.
 *
 * Why our own rules rather than graphql-armor or @pothos/plugin-complexity: every armor package
 * depends on graphql ^16 (not as a peer), so it brings a second graphql whose validation types
 * and errors are not ours; Pothos's complexity skips introspection (meta fields have no Pothos
 * config, so `__type { fields { type { fields ... } } }` is free), checks at the first root
 * resolver (an introspection-only query never reaches one), and has no alias, directive or
 * token limits. graphql 17 itself bounds tokens; the rest is `measureDocument`, one pass per
 * document (Yoga caches validation results per document).
 */
export interface QueryLimits {
  /** Characters of the document (variables excluded). */
  maxLength: number;
  /** Lexical tokens of the document (graphql's own parser limit). */
  maxTokens: number;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
}

/**
 * The full introspection query of graphql 17 (what GraphiQL sends) measures depth 15, cost
 * about 52,000, 184 tokens; our heaviest operation (100 deliveries with their attempts) depth 7,
 * cost about 10,700. Each limit leaves room above both, and far below abuse: depth bounds
 * recursion, cost the fan-out of nested lists (tenfold per list level), tokens the parser.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxLength: 64 * 1024,
  maxTokens: 3_000,
  maxDepth: 16,
  maxCost: 60_000,
  maxAliases: 100,
  maxDirectives: 50,
};

/** Largest HTTP request body: emitEvent payloads go up to 256 KiB, JSON-escaped in variables. */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** What Yoga runs first: the query limits and, unless turned off, the mutation rate limit. */
export function limitPlugins(config: Pick<Config, 'rateLimitPerMinute'>): Plugin[] {
  const perMinute = config.rateLimitPerMinute;
  return [
    useQueryLimits(),
    ...(perMinute > 0 ? [useMutationRateLimit(new TokenBuckets({ perMinute }))] : []),
  ];
}

export function useQueryLimits(limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin {
  const rule = queryLimitsRule(limits);
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions) => {
        const text = typeof source === 'string' ? source : source.body;
        if (text.length > limits.maxLength) {
          throw queryLimit(
            'length',
            limits.maxLength,
            text.length,
            `the document has ${text.length} characters, at most ${limits.maxLength} are allowed; pass large values as variables`,
          );
        }
        try {
          return parseFn(source, { ...options, maxLexicalTokens: limits.maxTokens });
        } catch (error) {
          throw tagParseError(error, limits);
        }
      });
    },
    onResponse({ response }) {
      // A body over the limit is refused before it is read (Content-Length) or as soon as it
      // goes over (chunked): close the connection rather than read and discard the rest.
      if (response.status === 413) response.headers.set('connection', 'close');
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) setResult(tagInputErrors(result));
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) setResult(tagInputErrors(result));
        },
      };
    },
  };
}

/** Depth, cost, aliases and directives of the whole document, reported once per limit. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return function QueryLimitsRule(context) {
    return {
      Document: {
        leave(document) {
          const measured = measureDocument(context.getSchema(), document);
          const checks = [
            ['depth', limits.maxDepth, measured.depth, 'fields nested'],
            ['cost', limits.maxCost, measured.cost, 'estimated cost'],
            ['aliases', limits.maxAliases, measured.aliases, 'aliases'],
            ['directives', limits.maxDirectives, measured.directives, 'directives'],
          ] as const;
          for (const [limit, max, actual, what] of checks) {
            if (actual > max) {
              context.reportError(
                queryLimit(limit, max, actual, `${what} ${actual}, at most ${max}`),
              );
            }
          }
        },
      },
    };
  };
}

const TOKEN_LIMIT = /Document contains more than \d+ tokens/;

/** Parse errors carry a code on both transports (Yoga adds one only over HTTP). */
function tagParseError(error: unknown, limits: QueryLimits): unknown {
  if (!(error instanceof GraphQLError)) return error;
  if (TOKEN_LIMIT.test(error.message)) {
    return queryLimit(
      'tokens',
      limits.maxTokens,
      undefined,
      `the document has more than ${limits.maxTokens} tokens`,
    );
  }
  const extensions = error.extensions as Record<string, unknown>;
  extensions.code ??= 'GRAPHQL_PARSE_FAILED';
  return error;
}

const VARIABLE_ERROR = /^Variable "\$([^"]+)"/;
const VARIABLE_PATH = / at "([^"]+)"/;
const ARGUMENT_NAME = /^Argument "([^"]+)"/;

/**
 * Input errors that graphql and Pothos raise without our codes get BAD_USER_INPUT and, as our
 * own validation does, `field`:
 * - variables that do not fit their types fail before any resolver runs, with graphql's
 *   message (`field` without the variable's name: `name` for `$input` at `input.name`);
 * - Pothos's own argument checks (a negative `first`) fail in the resolver.
 */
function tagInputErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  let changed = false;
  const errors = result.errors.map((error) => {
    const code = error.extensions.code;
    if ((code && code !== 'BAD_USER_INPUT') || error.extensions.field) return error;
    let field: string | undefined;
    const variable = VARIABLE_ERROR.exec(error.message)?.[1];
    if (variable && !error.path) {
      const path = VARIABLE_PATH.exec(error.message)?.[1] ?? variable;
      field = path.startsWith(`${variable}.`) ? path.slice(variable.length + 1) : path;
    } else if (!code && error.originalError instanceof PothosValidationError) {
      field = ARGUMENT_NAME.exec(error.message)?.[1];
    } else {
      return error;
    }
    changed = true;
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { ...error.extensions, code: 'BAD_USER_INPUT', field },
    });
  });
  return changed ? { ...result, errors } : result;
}

const queryLimit = (...args: ConstructorParameters<typeof QueryLimitError>) =>
  toGraphQLError(new QueryLimitError(...args));
