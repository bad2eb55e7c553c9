/** Axes for the charts: round values and round moments to mark, computed without a browser. */

/**
 * A value axis from 0 that holds `max`, in at most `maxTicks` steps of 1, 2 or 5 × 10ⁿ; whole
 * steps for counts (`whole`). Without data (max 0) the axis still has one step.
 */
export function niceScale(
  max: number,
  { maxTicks = 4, whole = false }: { maxTicks?: number; whole?: boolean } = {},
): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const rough = max / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  if (whole) step = Math.max(1, Math.round(step));
  // toPrecision: 3 × 0.1 is 0.30000000000000004.
  return { max: Number((Math.ceil(max / step) * step).toPrecision(12)), step };
}

/** The values to mark on an axis from 0 to `max`, every `step`. */
export function valueTicks({ max, step }: { max: number; step: number }): number[] {
  const ticks: number[] = [];
  // Counted, not summed, so that 0.1 steps do not drift.
  for (let i = 0; i * step <= max + step / 1e6; i++) ticks.push(i * step);
  return ticks;
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** Steps between marked moments, in minutes: each divides a day, or is a number of days. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880];

/**
 * Round moments in [from, to) to mark on a time axis, in the reader's time zone (whole hours,
 * midnights), at most `maxTicks` of them; `daily` says whether they are days apart (so that a
 * label shows the date rather than the time).
 */
export function timeTicks(
  from: number,
  to: number,
  maxTicks: number,
): { ticks: number[]; daily: boolean } {
  const minutes =
    TIME_STEPS.find((m) => (to - from) / (m * MINUTE) <= Math.max(1, maxTicks)) ??
    TIME_STEPS.at(-1)!;
  const step = minutes * MINUTE;
  const midnight = new Date(from);
  midnight.setHours(0, 0, 0, 0);
  let tick = midnight.getTime();
  // From the local midnight before `from`: marks fall on whole local hours and days.
  while (tick < from) tick += step;
  const ticks: number[] = [];
  for (; tick < to; tick += step) ticks.push(tick);
  return { ticks, daily: step >= DAY };
}
