import type { Db as BossDb, Job } from 'pg-boss';
import type { EndpointSettings } from '../../config/config.ts';
import { type DeliveryJobData, deliveryJob } from '../../queue/jobs.ts';
import type { Queue } from '../../queue/queue.ts';
import type { Logger } from '../../shared/logger.ts';
import { fetchGroupConcurrency } from '../policies/endpoint-concurrency.ts';
import type { JobClaim } from './settlement.ts';

export interface FetchedJob {
  claim: JobClaim;
  /** Null when the job's data does not parse (a job of another version): it is skipped. */
  data: DeliveryJobData | null;
}

/**
 * Claims up to `batchSize` due jobs, highest priority first (policies/fair-share.ts), never more
 * per endpoint than its concurrency allows across all workers (policies/endpoint-concurrency.ts;
 * exactly so only when fetches are serialized, queue/serialized-fetch.ts).
 */
export async function fetchDeliveryJobs(
  queue: Queue,
  batchSize: number,
  options: {
    endpoints: EndpointSettings;
    /** Where the fetch runs: serialized across processes (queue/serialized-fetch.ts), or not. */
    db?: BossDb;
    /** Only jobs of this band or above. */
    minPriority?: number;
    logger: Logger;
  },
): Promise<FetchedJob[]> {
  const { logger } = options;
  const jobs = (await queue.fetch<DeliveryJobData>(deliveryJob.name, {
    batchSize,
    ...fetchGroupConcurrency(options.endpoints),
    ...(options.db ? { db: options.db } : {}),
    ...(options.minPriority === undefined ? {} : { minPriority: options.minPriority }),
  })) as Job<DeliveryJobData>[];
  return jobs.map((job) => {
    const claim = { id: job.id, retryCount: job.retryCount };
    try {
      return { claim, data: deliveryJob.parse(job.data) };
    } catch (error) {
      logger.error({ err: error, jobId: job.id }, 'malformed delivery job');
      return { claim, data: null };
    }
  });
}
