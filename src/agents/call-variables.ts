import { z } from 'zod';

/**
 * Variables that configure a call: a flat object of names to strings, numbers or booleans. The
 * same shape serves the responder's answer and the agent's fallback, so whatever the call gets,
 * it gets it in one shape.
 */
export const callVariablesSchema = z
  .record(
    z.string().min(1, 'names must not be empty').max(200, 'names must be at most 200 characters'),
    z.union([z.string(), z.number(), z.boolean()], {
      error: 'values must be strings, numbers or booleans',
    }),
  )
  .describe('Variable name to value: strings, numbers or booleans only.');

export type CallVariables = z.infer<typeof callVariablesSchema>;

/** The largest answer body read, and the largest fallback stored, in bytes of JSON. */
export const MAX_CALL_VARIABLES_BYTES = 64 * 1024;

/** Why a fallback is refused, or null when it is an object of scalars within the size limit. */
export function fallbackProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be a JSON object of names to strings, numbers or booleans';
  }
  const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (size > MAX_CALL_VARIABLES_BYTES) {
    return `is ${size} bytes; the limit is ${MAX_CALL_VARIABLES_BYTES}`;
  }
  const result = callVariablesSchema.safeParse(value);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  const at = issue.path.length > 0 ? ` (at ${issue.path.map(String).join('.')})` : '';
  return `${issue.message}${at}`;
}
