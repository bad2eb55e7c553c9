export type DeliveryStatusName = 'PENDING' | 'HELD' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export type Health = 'good' | 'warning' | 'bad' | 'unknown';

/** How a success rate (0 to 1, null without attempts) reads at a glance. */
export function healthOf(rate: number | null | undefined): Health {
  if (rate == null) return 'unknown';
  if (rate >= 0.95) return 'good';
  if (rate >= 0.8) return 'warning';
  return 'bad';
}

export function formatRate(rate: number): string {
  const percent = rate * 100;
  // 99.5 % must not read as 100 %: only a perfect record rounds up to it.
  if (percent > 99 && percent < 100) return `${Math.floor(percent * 10) / 10}%`;
  return `${Math.round(percent)}%`;
}
