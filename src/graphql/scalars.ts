import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { Builder } from './builder.ts';

function parseDate(value: unknown): Date {
  if (typeof value !== 'string') {
    throw new GraphQLError('DateTime must be an ISO 8601 string', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new GraphQLError(`"${value.slice(0, 64)}" is not an ISO 8601 date-time`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

function literalToJson(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      throw new GraphQLError('Unsupported JSON literal', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
  }
}

/**
 * JSON values nest at most this deep. Event payloads are shallow; a value nested a hundred
 * thousand levels (a 600 KB request) would otherwise overflow the stack of every recursive
 * step after this one (validation, JSON.stringify, the jsonb column).
 */
export const MAX_JSON_DEPTH = 64;

/** Checks the nesting depth without recursion, so that checking cannot overflow either. */
function withinJsonDepth(value: unknown): unknown {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new GraphQLError(`JSON values may nest at most ${MAX_JSON_DEPTH} levels deep`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return value;
}

export function registerScalars(builder: Builder): void {
  builder.scalarType('DateTime', {
    description: 'An ISO 8601 date-time in UTC, e.g. 2026-11-29T17:43:55.000Z',
    serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
    parseValue: parseDate,
    parseLiteral: (node) => parseDate(node.kind === Kind.STRING ? node.value : undefined),
  });
  builder.scalarType('JSON', {
    description: 'Any JSON value',
    serialize: (value) => value,
    parseValue: (value) => withinJsonDepth(value),
    parseLiteral: (node, variables) => withinJsonDepth(literalToJson(node, variables)),
  });
}
