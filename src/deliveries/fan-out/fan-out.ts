import type { EndpointSettings } from '../../config/config.ts';
import type { Db } from '../../db/database.ts';
import type { DeliveryNotice, Notices } from '../../pubsub/notices.ts';
import type { Notifier } from '../../pubsub/notifier.ts';
import type { Queue } from '../../queue/queue.ts';
import { JOB_PRIORITY } from '../policies/fair-share.ts';
import { type Admission, admitWaitingDeliveries } from './admission.repository.ts';
import { type DeliveryJobRequest, enqueueDeliveryJobs } from './delivery-jobs.ts';

/** A delivery that has just become PENDING and waits for room: created, redelivered, released. */
export interface NewlyPending {
  id: string;
  organizationId: string;
  webhookId: string;
}

export interface FanOutOptions {
  queue: Queue;
  notifier: Notifier;
  endpoints: EndpointSettings;
}

/**
 * Where deliveries enter the queue, for events, test events, redeliveries and releases alike:
 * admission (policies/fair-share.ts) decides which get a job now, at which priority; the others
 * wait for room, or are held while their endpoint's circuit is open. Everything happens on the
 * caller's transaction, jobs and notices included, so nothing is queued or announced for work
 * that rolls back.
 */
export interface FanOut {
  /** Admits what fits, queues its jobs, announces every one of them (PENDING, or HELD). */
  queueNew(trx: Db, deliveries: readonly NewlyPending[]): Promise<void>;
  /**
   * Admits waiting deliveries of these endpoints (room was freed, or a circuit closed) and
   * queues their jobs; returns what to announce.
   */
  admit(trx: Db, webhookIds: readonly string[]): Promise<Notices>;
  /** Queues jobs that need no admission: retries, deferrals, probes. */
  enqueue(trx: Db, jobs: readonly DeliveryJobRequest[]): Promise<void>;
}

export function createFanOut(options: FanOutOptions): FanOut {
  const admitAndEnqueue = async (trx: Db, webhookIds: readonly string[]): Promise<Admission> => {
    const admission = await admitWaitingDeliveries(trx, webhookIds, options.endpoints);
    await enqueueDeliveryJobs(options.queue, trx, admittedJobs(admission));
    return admission;
  };
  return {
    async queueNew(trx, deliveries) {
      if (deliveries.length === 0) return;
      const admission = await admitAndEnqueue(trx, [
        ...new Set(deliveries.map((d) => d.webhookId)),
      ]);
      const held = new Set(admission.held.map((d) => d.id));
      const fresh = new Set(deliveries.map((d) => d.id));
      const announced: DeliveryNotice[] = deliveries.map((d) => ({
        organizationId: d.organizationId,
        deliveryId: d.id,
        webhookId: d.webhookId,
        status: held.has(d.id) ? 'HELD' : 'PENDING',
      }));
      // Earlier waiting deliveries held now (their circuit opened meanwhile) are announced too.
      for (const d of admission.held) if (!fresh.has(d.id)) announced.push(heldNotice(d));
      await options.notifier.publish(trx, {
        wake: admission.admitted.length > 0,
        deliveries: announced,
      });
    },
    async admit(trx, webhookIds) {
      if (webhookIds.length === 0) return {};
      const admission = await admitAndEnqueue(trx, webhookIds);
      return {
        wake: admission.admitted.length > 0,
        deliveries: admission.held.map(heldNotice),
      };
    },
    enqueue: (trx, jobs) => enqueueDeliveryJobs(options.queue, trx, jobs),
  };
}

function admittedJobs(admission: Admission): DeliveryJobRequest[] {
  return admission.admitted.map((d) => ({
    deliveryId: d.id,
    organizationId: d.organizationId,
    webhookId: d.webhookId,
    concurrency: d.concurrency,
    priority: d.quiet ? JOB_PRIORITY.quiet : JOB_PRIORITY.busy,
  }));
}

function heldNotice(d: Admission['held'][number]): DeliveryNotice {
  return {
    organizationId: d.organizationId,
    deliveryId: d.id,
    webhookId: d.webhookId,
    status: 'HELD',
  };
}
