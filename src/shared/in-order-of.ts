/**
 * Rows found by id, put back in the order of the ids asked for, null where one was not found:
 * what a batch loader answers (one result per key, in order).
 */
export function inOrderOf<R extends { id: string }, T>(
  ids: readonly string[],
  rows: readonly R[],
  map: (row: R) => T,
): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, map(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
