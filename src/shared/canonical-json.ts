/**
 * JSON text that is the same for equal JSON values, whatever the order of their objects' keys
 * (keys sorted by UTF-16 code units, as `Array.prototype.sort` compares strings). Two values
 * are equal as JSON, as jsonb compares them, exactly when their canonical texts are equal.
 * `JSON.stringify` does the walk, recursively: fine for what the JSON scalar lets in (at most
 * 64 levels deep), not for arbitrary depth.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
