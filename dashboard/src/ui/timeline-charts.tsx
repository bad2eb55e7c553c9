import type { DashboardStatsBucketFragment } from '../../generated/graphql.ts';
import { formatDuration, formatSetting } from '../format.ts';
import { Legend, Lines, type Series, StackedBars, type TimeSlots } from './charts.tsx';
import { type Column, Table } from './tables.tsx';
import { WINDOWS, type WindowChoice } from './window-picker.tsx';

type Bucket = DashboardStatsBucketFragment;

const dayTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** A bucket as a span of time: "Nov 29, 14:15–14:30". */
function bucketTime(bucket: Bucket): string {
  return `${dayTime.format(Date.parse(bucket.startsAt))}–${timeOnly.format(Date.parse(bucket.endsAt))}`;
}

/** A bucket's length in words: "minute", "15 minutes", "2 hours". */
function bucketLength(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes === 1) return 'minute';
  if (minutes < 60) return `${minutes} minutes`;
  return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
}

const latency = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Attempts over time (successes and failures stacked) and latency over time (p50 and p95),
 * from a timeline's buckets. Each chart is named by its title (its caption too) and described by
 * a sentence with its key numbers; the table under them holds every bucket with attempts.
 */
export function TimelineCharts({
  buckets,
  id,
}: {
  /** A whole timeline, as the API gives it. */
  buckets: readonly Bucket[];
  /** Prefixes the ids of the parts, and names them for tests: `${id}-attempts`, ... */
  id: string;
}) {
  const step = Date.parse(buckets[0]!.endsAt) - Date.parse(buckets[0]!.startsAt);
  // The window the buckets cover, from themselves: while another window's buckets load, the
  // charts still say which window they show.
  const shown = WINDOWS.find((w) => w.spanMs === buckets.length * step) ?? WINDOWS[0]!;
  const busy = buckets.filter((b) => b.successCount + b.failureCount > 0);
  if (busy.length === 0) {
    return (
      <p class="muted" data-testid={`${id}-charts-empty`}>
        No attempts in {shown.phrase}.
      </p>
    );
  }
  const slots: TimeSlots = { starts: buckets.map((b) => Date.parse(b.startsAt)), step };
  const per = bucketLength(step);
  const attempts: Series[] = [
    { label: 'Succeeded', className: 'series-success', values: buckets.map((b) => b.successCount) },
    { label: 'Failed', className: 'series-failure', values: buckets.map((b) => b.failureCount) },
  ];
  const latencies: Series[] = [
    { label: 'p50', className: 'series-p50', values: buckets.map((b) => b.p50LatencyMs) },
    { label: 'p95', className: 'series-p95', values: buckets.map((b) => b.p95LatencyMs) },
  ];
  const titles = {
    attempts: `Attempts per ${per}, ${shown.phrase}`,
    latency: `Latency per ${per}, ${shown.phrase}`,
  };
  const ids = {
    attempts: `${id}-attempts-title`,
    attemptsSummary: `${id}-attempts-summary`,
    latency: `${id}-latency-title`,
    latencySummary: `${id}-latency-summary`,
  };
  return (
    <div class="timeline">
      <figure class="chart-figure">
        <figcaption>{titles.attempts}</figcaption>
        <Legend series={attempts} />
        <StackedBars
          slots={slots}
          series={attempts}
          title={titles.attempts}
          titleId={ids.attempts}
          describedBy={ids.attemptsSummary}
          formatValue={String}
          slotTitle={(i) =>
            `${bucketTime(buckets[i]!)}: ${buckets[i]!.successCount} succeeded, ${buckets[i]!.failureCount} failed`
          }
          testId={`${id}-attempts`}
        />
        <p class="chart-summary" id={ids.attemptsSummary}>
          {attemptsSummary(busy, shown)}
        </p>
      </figure>
      <figure class="chart-figure">
        <figcaption>{titles.latency}</figcaption>
        <Legend series={latencies} />
        <Lines
          slots={slots}
          series={latencies}
          title={titles.latency}
          titleId={ids.latency}
          describedBy={ids.latencySummary}
          formatValue={formatSetting}
          slotTitle={(i) =>
            `${bucketTime(buckets[i]!)}: p50 ${latency(buckets[i]!.p50LatencyMs)}, p95 ${latency(buckets[i]!.p95LatencyMs)}`
          }
          testId={`${id}-latency`}
        />
        <p class="chart-summary" id={ids.latencySummary}>
          {latencySummary(busy)}
        </p>
      </figure>
      <details class="chart-data">
        <summary class="chart-data-toggle">The numbers, per {per}</summary>
        <Table
          caption={`Attempts and latency per ${per} with attempts, ${shown.phrase}`}
          columns={COLUMNS}
          rows={busy}
          rowKey={(b) => b.startsAt}
          rowProps={(b) => ({ 'data-starts-at': b.startsAt })}
          testId={`${id}-numbers`}
        />
      </details>
    </div>
  );
}

const COLUMNS: Column<Bucket>[] = [
  { label: 'Time', cell: (b) => <time dateTime={b.startsAt}>{bucketTime(b)}</time> },
  {
    label: 'Succeeded',
    cell: (b) => b.successCount,
    cellProps: () => ({ 'data-column': 'succeeded' }),
  },
  { label: 'Failed', cell: (b) => b.failureCount, cellProps: () => ({ 'data-column': 'failed' }) },
  {
    label: 'p50',
    cell: (b) => latency(b.p50LatencyMs),
    cellProps: () => ({ 'data-column': 'p50' }),
  },
  {
    label: 'p95',
    cell: (b) => latency(b.p95LatencyMs),
    cellProps: () => ({ 'data-column': 'p95' }),
  },
];

/** Totals, when failures happened, and the busiest bucket. */
function attemptsSummary(busy: readonly Bucket[], shown: WindowChoice): string {
  const succeeded = busy.reduce((sum, b) => sum + b.successCount, 0);
  const failed = busy.reduce((sum, b) => sum + b.failureCount, 0);
  const failing = busy.filter((b) => b.failureCount > 0);
  const busiest = busy.reduce((top, b) =>
    b.successCount + b.failureCount > top.successCount + top.failureCount ? b : top,
  );
  const parts = [
    `${plural(succeeded + failed, 'attempt')} in ${shown.phrase}: ${succeeded} succeeded, ${failed} failed.`,
  ];
  if (failing.length > 0) {
    parts.push(
      `Failures from ${dayTime.format(Date.parse(failing[0]!.startsAt))} to ${dayTime.format(Date.parse(failing.at(-1)!.endsAt))}.`,
    );
  }
  parts.push(
    `Most at ${bucketTime(busiest)}: ${plural(busiest.successCount + busiest.failureCount, 'attempt')}.`,
  );
  return parts.join(' ');
}

/** The range of the median and the highest p95, with when it was. */
function latencySummary(busy: readonly Bucket[]): string {
  const medians = busy.map((b) => b.p50LatencyMs ?? 0);
  const worst = busy.reduce((top, b) =>
    (b.p95LatencyMs ?? 0) > (top.p95LatencyMs ?? 0) ? b : top,
  );
  const [low, high] = [Math.min(...medians), Math.max(...medians)];
  const median = low === high ? latency(low) : `from ${latency(low)} to ${latency(high)}`;
  return `Median (p50) ${median}. Highest p95: ${latency(worst.p95LatencyMs)}, at ${bucketTime(worst)}.`;
}
