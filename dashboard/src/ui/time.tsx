import { formatDate, formatDateTime, formatPreciseDateTime } from '../format.ts';

/**
 * A moment in the reader's time zone, with the exact UTC time on hover; `precise` adds the
 * seconds, `dateOnly` leaves out the time.
 */
export function Time({
  iso,
  dateOnly = false,
  precise = false,
}: {
  iso: string;
  dateOnly?: boolean;
  precise?: boolean;
}) {
  const text = dateOnly
    ? formatDate(iso)
    : precise
      ? formatPreciseDateTime(iso)
      : formatDateTime(iso);
  return (
    <time dateTime={iso} title={new Date(iso).toISOString()}>
      {text}
    </time>
  );
}
