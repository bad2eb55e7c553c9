import type { FetchGroupConcurrencyOptions, GroupOptions } from 'pg-boss';
import type { EndpointSettings } from '../../config/config.ts';

/**
 * At most `maxConcurrency` attempts in flight to one webhook, across every worker process. This
 * is pg-boss's own job groups: each delivery job belongs to its webhook's group, and every
 * fetch passes a global `groupConcurrency`, which pg-boss enforces by counting the group's
 * active jobs in the database. A webhook's own limit travels as the job's tier (`c<n>`), so a
 * changed limit applies to jobs queued after the change (admission keeps at most a few per
 * endpoint queued, so that is within moments).
 */
export function jobGroup(webhookId: string, concurrency: number): GroupOptions {
  return { id: webhookId, tier: tierName(concurrency) };
}

export function tierName(concurrency: number): string {
  return `c${concurrency}`;
}

/** The fetch option: the default for jobs without a known tier, one tier per allowed limit. */
export function fetchGroupConcurrency(
  settings: EndpointSettings,
): Required<Pick<FetchGroupConcurrencyOptions, 'groupConcurrency'>> {
  const tiers: Record<string, number> = {};
  for (let n = 1; n <= settings.maxConcurrency; n++) tiers[tierName(n)] = n;
  return { groupConcurrency: { default: settings.defaultConcurrency, tiers } };
}
