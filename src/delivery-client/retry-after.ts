/**
 * Retry-After (RFC 9110 section 10.2.3): delta-seconds or an HTTP-date. undici does not parse it.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<h>\\d{2}):(?<m>\\d{2}):(?<s>\\d{2})';
// RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms.
const HTTP_DATES = [
  new RegExp(`^${DAY}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, (?<day>\\d{2})-${MONTH}-(?<year>\\d{2}) ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * Milliseconds since the epoch, or null. Not Date.parse: it reads asctime as
 * local time and accepts much that is not an HTTP-date.
 */
function parseHttpDate(value: string): number | null {
  const groups = HTTP_DATES.map((re) => re.exec(value)?.groups).find((g) => g !== undefined);
  if (!groups) return null;
  let year = Number(groups.year);
  if (groups.year?.length === 2) year += year < 70 ? 2000 : 1900;
  const [month, day, h, m, s] = [
    MONTHS.indexOf(groups.month ?? ''),
    Number(groups.day),
    Number(groups.h),
    Number(groups.m),
    Number(groups.s),
  ];
  const date = new Date(Date.UTC(year, month, day, h, m, s));
  // Date.UTC rolls "31 Feb" or "25:00:00" over into valid dates: refuse those instead.
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === m &&
    date.getUTCSeconds() === s;
  return exact ? date.getTime() : null;
}

/** Seconds to wait according to a Retry-After header (delta-seconds or HTTP-date), or null. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const time = parseHttpDate(text);
  if (time === null) return null;
  return Math.max(0, Math.ceil((time - now.getTime()) / 1000));
}
