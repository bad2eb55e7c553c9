import type { z } from 'zod';

/**
 * One entry of the catalog. `z.input<S>` makes the compiler check the example against the
 * schema; `const N` keeps the name as a literal so that `EventTypeName` can be derived from the
 * lists. `operational`: raised by Hookline itself, for the operational endpoint only
 * (operational-event-types.ts).
 */
export function defineEventType<const N extends string, S extends z.ZodObject>(definition: {
  name: N;
  wireName: string;
  description: string;
  schema: S;
  example: z.input<S>;
  operational?: true;
}) {
  return definition;
}
