/**
 * For loaders of non-null relations: each id has its row (the foreign keys say so). A missing one
 * is an inconsistency, not a client's mistake: it becomes an error in that one place (masked as
 * an internal error and logged) rather than a wrong answer.
 */
export function everyOne<T>(kind: string, ids: readonly string[], found: readonly (T | null)[]) {
  return found.map((item, i) => item ?? new Error(`${kind} ${ids[i]} is missing`));
}
