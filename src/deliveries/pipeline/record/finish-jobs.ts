import { fromKysely } from 'pg-boss';
import type { Db } from '../../../db/database.ts';
import { deliveryJob } from '../../../queue/jobs.ts';
import type { Queue } from '../../../queue/queue.ts';
import type { JobClaim } from '../settlement.ts';

/**
 * Closes the batch's fetched jobs on its transaction: finished ones complete, those a shutdown
 * interrupted go back to the queue at once (pg-boss's own retry: same job, same delivery).
 */
export async function finishJobs(
  queue: Queue,
  trx: Db,
  jobs: { finished: readonly JobClaim[]; released: readonly JobClaim[] },
): Promise<void> {
  const db = fromKysely(trx);
  if (jobs.finished.length > 0) {
    await queue.complete(deliveryJob.name, [...jobs.finished], null, { db });
  }
  if (jobs.released.length > 0) {
    await queue.fail(deliveryJob.name, [...jobs.released], { reason: 'worker stopped' }, { db });
  }
}
