import { z } from 'zod';

/** Input rules shared by several mutations, so that every field means the same everywhere. */
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const idempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');

export const descriptionSchema = z.string().trim().max(1000, 'must be at most 1000 characters');

export const MAX_URL_LENGTH = 2048;

/**
 * C0 control characters and DEL. The URL parser drops tabs and line breaks anywhere and strips
 * the other controls at the ends, so a URL holding one would be shown as typed but contacted as
 * parsed: it is refused instead.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * An absolute http(s) URL without credentials or fragment, stored as the URL parser reads it
 * (`new URL(x).href`: scheme and host lower-cased, host names in punycode, IP addresses in
 * their usual notation, spaces percent-encoded), so what is shown is what is contacted.
 */
export const webhookUrlSchema = z
  .string()
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .transform((value, ctx) => {
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (CONTROL_CHARACTERS.test(value)) {
      return problem('must not contain control characters (tab, line breaks, ...)');
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return problem('must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return problem('must use http or https');
    if (url.username || url.password) return problem('must not contain credentials');
    if (url.hash) return problem('must not contain a fragment');
    if (url.href.length > MAX_URL_LENGTH) {
      return problem(`must be at most ${MAX_URL_LENGTH} characters once normalised`);
    }
    return url.href;
  });
