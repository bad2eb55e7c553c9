import { z } from 'zod';
import type { Keyring } from '../shared/keyring.ts';

/**
 * Static headers a webhook sends with every request (an `Authorization` for a receiver behind a
 * gateway, say): at most MAX_HEADERS, sealed at rest as one value, shown masked, never logged
 * (the attempt log keeps their names with the mask, not their values).
 */
export interface EndpointHeader {
  name: string;
  value: string;
}

export const MAX_HEADERS = 10;
export const MAX_HEADER_NAME_LENGTH = 64;
export const MAX_HEADER_VALUE_LENGTH = 1024;

/**
 * Names Hookline sets itself or that would break the request: the signature's headers, the
 * body's framing and type, the connection's, and the trace context Hookline may add.
 */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'traceparent',
  'tracestate',
]);
const RESERVED_PREFIXES = ['webhook-', 'proxy-', 'sec-', ':'];

/** RFC 9110's token: the characters a header name may have. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs: no line breaks (header injection), no NUL. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

export function reservedHeaderProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (RESERVED.has(lower)) return `${lower} is set by Hookline and cannot be replaced`;
  const prefix = RESERVED_PREFIXES.find((p) => lower.startsWith(p));
  if (prefix) return `names starting with ${prefix} are reserved`;
  return undefined;
}

const headerSchema = z.object({
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_HEADER_NAME_LENGTH, `must be at most ${MAX_HEADER_NAME_LENGTH} characters`)
    .regex(TOKEN, "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)")
    .superRefine((name, ctx) => {
      const problem = reservedHeaderProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  value: z
    .string()
    .max(MAX_HEADER_VALUE_LENGTH, `must be at most ${MAX_HEADER_VALUE_LENGTH} characters`)
    .regex(FIELD_VALUE, 'must be printable ASCII on one line'),
});

/** The `headers` input of createWebhook and updateWebhook (null: none). */
export const headersInputSchema = z
  .array(headerSchema)
  .max(MAX_HEADERS, `must be at most ${MAX_HEADERS} headers`)
  .superRefine((headers, ctx) => {
    const seen = new Set<string>();
    headers.forEach((header, index) => {
      const lower = header.name.toLowerCase();
      if (seen.has(lower)) {
        ctx.addIssue({ code: 'custom', message: 'is given twice', path: [index, 'name'] });
      }
      seen.add(lower);
    });
  })
  .nullish();

/** What may be shown of a value: its first characters when it is long enough to spare them. */
export function maskHeaderValue(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 4)}…` : '…';
}

export const headersContext = (webhookId: string) => `webhook:${webhookId}:headers`;

export function sealHeaders(
  keyring: Keyring,
  webhookId: string,
  headers: readonly EndpointHeader[] | null,
): string | null {
  if (!headers || headers.length === 0) return null;
  const plain = headers.map(({ name, value }) => ({ name, value }));
  return keyring.seal(JSON.stringify(plain), headersContext(webhookId));
}

export function openHeaders(
  keyring: Keyring,
  webhookId: string,
  sealed: string | null,
): EndpointHeader[] {
  if (!sealed) return [];
  return JSON.parse(keyring.open(sealed, headersContext(webhookId))) as EndpointHeader[];
}
