import { formatDate, formatDateTime } from '../format.ts';

/** A moment in the reader's time zone, with the exact UTC time on hover. */
export function Time({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
  return (
    <time dateTime={iso} title={new Date(iso).toISOString()}>
      {dateOnly ? formatDate(iso) : formatDateTime(iso)}
    </time>
  );
}
