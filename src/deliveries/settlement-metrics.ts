import { type Metrics, statusClass } from '../metrics/metrics.ts';
import type { Settlement } from './pipeline/settlement.ts';

/** Counts a committed batch of settlements: attempts by outcome and status class, and releases. */
export function countSettlements(metrics: Metrics, settlements: readonly Settlement[]): void {
  for (const settlement of settlements) {
    if (settlement.kind === 'released') {
      metrics.deliveryJobsReleased.inc();
      continue;
    }
    if (settlement.kind !== 'attempted') continue;
    const { outcome } = settlement.result;
    const result = outcome.ok ? 'success' : 'failure';
    metrics.deliveryAttempts.inc({ outcome: result, status_class: statusClass(outcome.status) });
    metrics.deliveryAttemptDuration.observe({ outcome: result }, outcome.durationMs / 1000);
  }
}
