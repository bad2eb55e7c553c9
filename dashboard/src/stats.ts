export type DeliveryStatusName = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface SuccessRate {
  succeeded: number;
  failed: number;
  pending: number;
  /** Succeeded over finished (succeeded + failed); null before anything finished. */
  rate: number | null;
}

/**
 * The success rate of a webhook's recent deliveries. Pending ones have no outcome yet and
 * cancelled ones were never the endpoint's to answer (its webhook was disabled or deleted), so
 * neither counts.
 */
export function successRate(statuses: readonly DeliveryStatusName[]): SuccessRate {
  let succeeded = 0;
  let failed = 0;
  let pending = 0;
  for (const status of statuses) {
    if (status === 'SUCCEEDED') succeeded++;
    else if (status === 'FAILED') failed++;
    else if (status === 'PENDING') pending++;
  }
  const finished = succeeded + failed;
  return { succeeded, failed, pending, rate: finished === 0 ? null : succeeded / finished };
}

export type Health = 'good' | 'warning' | 'bad' | 'unknown';

export function healthOf(rate: number | null): Health {
  if (rate === null) return 'unknown';
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
