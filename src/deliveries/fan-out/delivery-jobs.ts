import { fromKysely, type JobInsert } from 'pg-boss';
import type { Db } from '../../db/database.ts';
import { type DeliveryJobData, deliveryJob } from '../../queue/jobs.ts';
import type { Queue } from '../../queue/queue.ts';
import { jobGroup } from '../policies/endpoint-concurrency.ts';
import type { JobPriority } from '../policies/fair-share.ts';

/** A job to queue for one delivery: its endpoint's group, its band, and when it is due. */
export interface DeliveryJobRequest {
  deliveryId: string;
  organizationId: string;
  webhookId: string;
  /** The endpoint's concurrency limit now (policies/endpoint-concurrency.ts). */
  concurrency: number;
  priority: JobPriority;
  /** Not before; due at once when absent. */
  startAfter?: Date;
  /** A rate-limit send slot the job holds (policies/rate-limit.ts). */
  slotAt?: Date;
}

/** Queues the jobs on the caller's transaction: no job without its committed delivery. */
export async function enqueueDeliveryJobs(
  queue: Queue,
  trx: Db,
  requests: readonly DeliveryJobRequest[],
): Promise<void> {
  if (requests.length === 0) return;
  await queue.insert(deliveryJob.name, requests.map(toJobInsert), { db: fromKysely(trx) });
}

function toJobInsert(request: DeliveryJobRequest): JobInsert<DeliveryJobData> {
  return {
    data: deliveryJob.parse({
      deliveryId: request.deliveryId,
      organizationId: request.organizationId,
      ...(request.slotAt ? { slotAt: request.slotAt.toISOString() } : {}),
    }),
    priority: request.priority,
    group: jobGroup(request.webhookId, request.concurrency),
    ...(request.startAfter ? { startAfter: request.startAfter } : {}),
  };
}
