/** Delay in seconds after attempt 1, 2, ...; total attempts = length + 1 (about 27 hours in all). */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  5, 300, 1800, 7200, 18000, 36000, 36000,
];

/** A receiver's Retry-After is honoured only within these bounds, so it can neither hammer nor park us. */
export const RETRY_AFTER_MIN_SECONDS = 1;
export const RETRY_AFTER_MAX_SECONDS = 24 * 60 * 60;

export const DEFAULT_JITTER = 0.2;

export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 1 && parts[0] === '') {
    throw new Error(
      'retry schedule is empty: give comma-separated delays in seconds, e.g. "5,300"',
    );
  }
  return parts.map((part, index) => {
    if (!/^\d+(\.\d+)?$/.test(part)) {
      throw new Error(
        `retry schedule entry ${index + 1} is ${JSON.stringify(part)}: expected a non-negative number of seconds`,
      );
    }
    return Number(part);
  });
}

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

/**
 * Milliseconds until the next attempt, or null when the attempt that just failed
 * (1-based `attemptNumber`) was the last one the schedule allows. Jitter spreads
 * retries so that endpoints recovering from an outage are not hit in lockstep.
 */
export function nextDelay(input: {
  attemptNumber: number;
  scheduleSeconds: readonly number[];
  status: number | null;
  retryAfterSeconds: number | null;
  random?: () => number;
  jitter?: number;
}): number | null {
  const { attemptNumber, scheduleSeconds, status, retryAfterSeconds } = input;
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new Error(`attemptNumber must be a positive integer, got ${attemptNumber}`);
  }
  const baseSeconds = scheduleSeconds[attemptNumber - 1];
  if (baseSeconds === undefined) return null;

  if ((status === 429 || status === 503) && retryAfterSeconds !== null) {
    const seconds = Math.min(
      RETRY_AFTER_MAX_SECONDS,
      Math.max(RETRY_AFTER_MIN_SECONDS, retryAfterSeconds),
    );
    return Math.round(seconds * 1000);
  }

  const jitter = input.jitter ?? DEFAULT_JITTER;
  if (!(jitter >= 0 && jitter <= 1)) throw new Error(`jitter must be within [0, 1], got ${jitter}`);
  const random = input.random ?? Math.random;
  const factor = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(baseSeconds * 1000 * factor));
}
