import type { BenchReceiver } from '../receiver.ts';
import { round, summarize } from '../stats.ts';
import type { HooklineUnderTest, Tenant } from './hookline.ts';
import { throughput } from './types.ts';

export interface SubscribersCostSettings {
  count: number;
  concurrency: number;
  rounds: number;
  /** Subscribers in the first organization, measured in turn (0 is the baseline). */
  oneOrgCounts: readonly number[];
  /** Organizations P's load is spread over, each with `perOrganization` subscribers. */
  organizations: number;
  perOrganization: number;
}

/**
 * What live subscribers cost P: P's throughput with subscribers attached, as a fraction of its
 * throughput without. Each subscriber tails its organization's webhook's attempts, so each
 * attempt is one frame per subscriber of its organization.
 *
 * - one organization, 100 and 1,000 subscribers: every subscriber receives every attempt;
 * - 100 organizations with their own webhooks, 10 subscribers each, P's events spread over them
 *   in turn: each attempt concerns 10 subscribers of 1,000, and is compared with the same
 *   spread without subscribers.
 */
export interface SubscribersCost {
  /** Deliveries/s, median of the rounds, by case ("0", "100", "1000", "100x0", "100x10"). */
  throughputBySubscribers: Record<string, number>;
  /** Fractions of P's throughput lost, 0..1; null when the run did not measure the case. */
  oneOrg100Cost: number | null;
  oneOrg1000Cost: number | null;
  hundredOrgs1000Cost: number | null;
}

export async function runSubscribersCost(
  hookline: HooklineUnderTest,
  receiver: BenchReceiver,
  settings: SubscribersCostSettings,
  log: (message: string) => void,
): Promise<{ results: SubscribersCost; emitted: number }> {
  let emitted = 0;
  const measure = async (
    name: string,
    subscribers: number,
    tenants: readonly Tenant[] | undefined,
  ): Promise<number> => {
    const attached =
      subscribers > 0 ? await hookline.attachSubscribers(subscribers, tenants) : undefined;
    const tps: number[] = [];
    // A thousand frames an attempt slow P a lot: fewer events keep the run within minutes.
    const heavy = subscribers >= 1_000;
    const events = heavy ? Math.round(settings.count / 4) : settings.count;
    for (let r = 0; r < (heavy ? 1 : settings.rounds); r++) {
      const tag = `subs${name.replace('x', '_')}_${r}`;
      const result = await hookline.run(receiver, tag, events, settings.concurrency, tenants);
      emitted += result.count;
      tps.push(throughput(result));
    }
    await attached?.detach();
    const median = round(summarize(tps).median, 1);
    log(`${name} subscribers: ${median} deliveries/s`);
    return median;
  };
  const cost = (base: number | undefined, value: number | undefined) =>
    base === undefined || value === undefined ? null : round(1 - value / base, 3);

  const byCase: Record<string, number> = {};
  for (const n of settings.oneOrgCounts) byCase[String(n)] = await measure(String(n), n, undefined);
  const spread = `${settings.organizations}x`;
  if (settings.organizations > 0) {
    const tenants = await hookline.tenants(settings.organizations);
    byCase[`${spread}0`] = await measure(`${spread}0`, 0, tenants);
    byCase[`${spread}${settings.perOrganization}`] = await measure(
      `${spread}${settings.perOrganization}`,
      settings.perOrganization,
      tenants,
    );
  }
  return {
    emitted,
    results: {
      throughputBySubscribers: byCase,
      oneOrg100Cost: cost(byCase['0'], byCase['100']),
      oneOrg1000Cost: cost(byCase['0'], byCase['1000']),
      hundredOrgs1000Cost:
        settings.organizations === 100 && settings.perOrganization === 10
          ? cost(byCase[`${spread}0`], byCase[`${spread}10`])
          : null,
    },
  };
}
