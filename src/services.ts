import type { Metrics } from './metrics/metrics.ts';
import type { Notifier } from './pubsub/notifier.ts';
import type { Queue } from './queue/queue.ts';

/** Infrastructure the services need beyond the database, built once by the composition root. */
export interface Services {
  queue: Queue;
  notifier: Notifier;
  metrics: Metrics;
}
