import type { EndpointSettings } from '../../config/config.ts';
import type { Db } from '../../db/database.ts';
import type { DeliveryNotice } from '../../pubsub/notices.ts';
import type { NoticeOutbox, Transactions } from '../../pubsub/transactions.ts';
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

/** What queueing deliveries needs: a transaction with an outbox, and the fan-out. */
export interface Queueing {
  transactions: Transactions;
  fanOut: FanOut;
}

export interface FanOutOptions {
  queue: Queue;
  endpoints: EndpointSettings;
}

/**
 * Where deliveries enter the queue, for events, test events, redeliveries and releases alike:
 * admission (policies/fair-share.ts) decides which get a job now, at which priority; the others
 * wait for room, or are held while their endpoint's circuit is open. Everything happens on the
 * caller's transaction, jobs and notices (its outbox) included, so nothing is queued or
 * announced for work that rolls back.
 */
export interface FanOut {
  /** Admits what fits, queues its jobs, announces every one of them (PENDING, or HELD). */
  queueNew(trx: Db, outbox: NoticeOutbox, deliveries: readonly NewlyPending[]): Promise<void>;
  /**
   * Admits waiting deliveries of these endpoints (room was freed, or a circuit closed), queues
   * their jobs, and announces what it held.
   */
  admit(trx: Db, outbox: NoticeOutbox, webhookIds: readonly string[]): Promise<void>;
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
    async queueNew(trx, outbox, deliveries) {
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
      outbox.notify({ wake: admission.admitted.length > 0, deliveries: announced });
    },
    async admit(trx, outbox, webhookIds) {
      if (webhookIds.length === 0) return;
      const admission = await admitAndEnqueue(trx, webhookIds);
      outbox.notify({
        wake: admission.admitted.length > 0,
        deliveries: admission.held.map(heldNotice),
      });
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
