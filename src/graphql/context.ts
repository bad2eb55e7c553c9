import type { Context as TraceContext } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { CallSetupLane } from '../call-setup/call-setup.service.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryFeeds } from '../deliveries/delivery-feeds.ts';
import type { FanOut } from '../deliveries/fan-out/fan-out.ts';
import type { EventIngest } from '../events/event-ingest.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { LiveFeeds } from '../pubsub/live-feed.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { Logger } from '../shared/logger.ts';

/** The running server's parts a resolver may use, built once by the composition root. */
export interface Runtime {
  /** A transaction whose notices go out with its COMMIT. */
  transactions: Transactions;
  /** Where deliveries enter the queue. */
  fanOut: FanOut;
  /** Where emitted events go: group-committed. */
  ingest: EventIngest;
  metrics: Metrics;
  notifier: Notifier;
  /** Seals and opens secrets at rest (signing secrets, endpoint headers). */
  keyring: Keyring;
  /** This process's live feeds and their subscribers (pubsub/live-feed.ts). */
  liveFeeds: LiveFeeds;
  /** The kinds of live feed the deliveries domain serves. */
  deliveryFeeds: DeliveryFeeds;
  /** The call-setup lane, in processes that serve the API (src/call-setup). */
  callSetups?: CallSetupLane;
}

/** Built once per operation (HTTP request or WebSocket subscribe). */
export interface GraphQLContext {
  viewer: Viewer | null;
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  runtime: Runtime;
  /** Remembers key lookups; `forget` makes a revocation take effect in this process at once. */
  authenticator: Authenticator;
  requestId: string;
  /** The origin the API was called on (portal links point there unless HOOKLINE_PUBLIC_URL). */
  origin: string | undefined;
  /**
   * The operation's span, when tracing is on (http/operation-spans.ts): the parent of the spans
   * a resolver starts, passed explicitly.
   */
  traceContext?: TraceContext;
}
