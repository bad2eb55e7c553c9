/**
 * HOOKLINE_PORTAL_FRAME_ANCESTORS: the pages allowed to show the dashboard in a frame, as the
 * Content-Security-Policy `frame-ancestors` directive takes them (docs/dashboard.md, Embedding):
 * origins such as `https://app.example.com` (a `*.` subdomain wildcard allowed), or `'self'`.
 * Unset, or `'none'`: no page may frame it.
 */
const SOURCE = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/;

export function parseFrameAncestors(text: string): string[] {
  const entries = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 1 && entries[0] === "'none'") return [];
  for (const entry of entries) {
    if (entry === "'self'") continue;
    if (entry === "'none'") throw new Error("'none' cannot be combined with other sources");
    const lower = entry.replace(/\/$/, '').toLowerCase();
    if (!SOURCE.test(lower)) {
      throw new Error(
        `${JSON.stringify(entry)} is not an origin (https://app.example.com, https://*.example.com) or 'self'`,
      );
    }
  }
  return entries.map((entry) =>
    entry === "'self'" ? entry : entry.replace(/\/$/, '').toLowerCase(),
  );
}

/** The directive's value: the sources, or 'none'. */
export function frameAncestorsDirective(sources: readonly string[]): string {
  return `frame-ancestors ${sources.length > 0 ? sources.join(' ') : "'none'"}`;
}
