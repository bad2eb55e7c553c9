/**
 * The fallback editor's text, checked as the API will check it (an object of names to strings,
 * numbers or booleans), so that the person editing it learns what is wrong before sending.
 */
/** The text as a fallback, or what is wrong with it. */
export function parseFallback(
  text: string,
): { value: Record<string, string | number | boolean>; problem?: undefined } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'Not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'Must be a JSON object, e.g. {"greeting": "Hello!"}' };
  }
  for (const [name, item] of Object.entries(value)) {
    if (!['string', 'number', 'boolean'].includes(typeof item)) {
      return { problem: `${name || '(empty name)'}: values must be strings, numbers or booleans` };
    }
  }
  return { value: value as Record<string, string | number | boolean> };
}
