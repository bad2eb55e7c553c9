const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const preciseDateTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** With seconds: for moments a few seconds apart, such as a circuit's next probe. */
export function formatPreciseDateTime(iso: string): string {
  return preciseDateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return date.format(new Date(iso));
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A configured length of time, as it was set: `500 ms`, `15 s`, `2.5 s`. */
export function formatSetting(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${ms / 1000} s`;
}

/** The value of a `datetime-local` input for a moment, in the browser's time zone. */
export function toDateTimeLocal(moment: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(
    moment.getHours(),
  )}:${pad(moment.getMinutes())}`;
}

/** Hides all but the prefix and last four characters of a secret. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith('whsec_') ? 'whsec_' : '';
  return `${prefix}${'•'.repeat(24)}${secret.slice(-4)}`;
}
