import type { Kysely } from 'kysely';
import type { CallSetupLane } from './call-setup/call-setup.service.ts';
import type { Database } from './db/database.ts';
import type { FanOut } from './deliveries/fan-out/fan-out.ts';
import { createEventIngest, type EventIngest } from './events/event-ingest.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { Notifier } from './pubsub/notifier.ts';

/** What queuing deliveries needs: where they enter the queue, and the notifier for notices. */
export interface DeliveryInfrastructure {
  fanOut: FanOut;
  notifier: Notifier;
}

/** Infrastructure the services need beyond the database, built once by the composition root. */
export interface Services extends DeliveryInfrastructure {
  metrics: Metrics;
  /** Where emitted events go: group-committed, see createEventIngest. */
  ingest: EventIngest;
  /** The call-setup lane, in processes that serve the API (src/call-setup). */
  callSetups?: CallSetupLane;
}

export function createServices(
  db: Kysely<Database>,
  parts: DeliveryInfrastructure & { metrics: Metrics },
): Services {
  return { ...parts, ingest: createEventIngest(db, parts) };
}
