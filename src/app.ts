import type { Server } from 'node:http';
import { buildDashboard, type DashboardBuild } from '../dashboard/build.ts';
import { MAX_CALL_VARIABLES_BYTES } from './agents/call-variables.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { type KeyConnections, watchKeyConnections } from './auth/key-revocation.ts';
import { createLocalAccessKey, publishLocalAccess } from './auth/local-access.ts';
import { ensureOperatorKey } from './auth/operator-keys.service.ts';
import { type CallSetupLane, createCallSetupLane } from './call-setup/call-setup.service.ts';
import { MAX_CALL_SETUP_DEADLINE_MS } from './call-setup/call-setup-deadline.ts';
import type { Config } from './config/config.ts';
import { withBootstrapLock } from './db/bootstrap-lock.ts';
import { type DatabaseHandle, openDatabase } from './db/connect.ts';
import { openKeyring } from './db/encryption-key.ts';
import { migrateToLatest } from './db/migrate.ts';
import { transactionsWithOutbox } from './db/transactions.ts';
import { logCircuitChanges, logSettlements } from './deliveries/attempt-log.ts';
import { createDeliveryFeeds } from './deliveries/delivery-feeds.ts';
import { createDeliveryWorker, type DeliveryWorker } from './deliveries/delivery-worker.ts';
import { createFanOut } from './deliveries/fan-out/fan-out.ts';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './deliveries/policies/retry-schedule.ts';
import { RecentAttempts } from './deliveries/recent-attempts.ts';
import { countSettlements } from './deliveries/settlement-metrics.ts';
import {
  createAddressPolicy,
  createDeliveryClient,
  type DeliveryClient,
} from './delivery-client/index.ts';
import { createEventIngest } from './events/event-ingest.ts';
import type { Runtime } from './graphql/context.ts';
import { schema } from './graphql/schema.ts';
import { dashboardRoutes } from './http/dashboard.ts';
import { offlineGraphiQL } from './http/graphiql.ts';
import { healthz, readyz } from './http/health.ts';
import { localBaseUrl, type ServerLinks, serverLinks } from './http/links.ts';
import { metricsRoute } from './http/metrics-route.ts';
import { useOperationSpans } from './http/operation-spans.ts';
import { useRequestLog } from './http/request-log.ts';
import { createHttpServer, listen, type RouteHandler } from './http/server.ts';
import { useSseKeyConnections } from './http/sse-connections.ts';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './http/websocket.ts';
import { createHooklineYoga, type HooklineYoga } from './http/yoga.ts';
import { registerDatabaseGauges } from './metrics/database-gauges.ts';
import { createMetrics } from './metrics/metrics.ts';
import { LiveFeeds } from './pubsub/live-feed.ts';
import {
  createInProcessNotifier,
  createPostgresNotifier,
  type Notifier,
} from './pubsub/notifier.ts';
import { jobLifetimes, type Queue, startQueue } from './queue/queue.ts';
import { serializedFetchDb } from './queue/serialized-fetch.ts';
import { createRetentionScheduler } from './retention/retention-scheduler.ts';
import type { Logger } from './shared/logger.ts';
import { createHttpDrain } from './shutdown/http-drain.ts';
import { createLiveSubscriptions } from './shutdown/live-subscriptions.ts';
import { startTracing, type Tracing, type TracingOptions } from './telemetry/tracing.ts';
import { createListenerRelay } from './webhooks/listener-relay.ts';
import { sealSecretsAtRest } from './webhooks/seal-at-rest.ts';

export interface Hookline {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  /** Where people find GraphiQL, the dashboard and metrics. */
  links: ServerLinks;
  /** An operator key generated at this start, for the process to show once; never logged. */
  generatedOperatorKey: string | undefined;
  database: DatabaseHandle;
  runtime: Runtime;
  /** OpenTelemetry tracing: off (and no SDK loaded) unless the OTEL_* settings turn it on. */
  tracing: Tracing;
  stop(): Promise<void>;
}

export interface HooklineOptions {
  /** Tracing's parts that are not configuration: an exporter of the caller's (the tests'). */
  tracing?: TracingOptions;
  /** Builds the dashboard (the tests start many servers, and share one build between them). */
  buildDashboard?: () => Promise<DashboardBuild>;
}

/** Cleanup steps, run in reverse order of start; each runs even if an earlier one failed. */
class Teardown {
  readonly #steps: Array<[string, () => Promise<void> | void]> = [];
  readonly #logger: Logger;
  constructor(logger: Logger) {
    this.#logger = logger;
  }
  add(name: string, step: () => Promise<void> | void): void {
    this.#steps.push([name, step]);
  }
  async run(): Promise<void> {
    for (const [name, step] of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        this.#logger.warn({ err: error, step: name }, 'shutdown step failed');
      }
    }
  }
}

/**
 * The composition root: opens the database, migrates, and starts what this process's role asks
 * for (`api`: HTTP and WebSocket; `worker`: deliveries and health routes; `all`: both). `stop`
 * undoes it in reverse: no new requests, open sockets closed, attempts in flight finished.
 */
export async function startHookline(
  config: Config,
  logger: Logger,
  options: HooklineOptions = {},
): Promise<Hookline> {
  const teardown = new Teardown(logger);
  try {
    const tracing = await startTracing(config.tracing, {
      ...options.tracing,
      logger,
      role: config.role,
    });
    // Stopped last but for the database: the spans of the attempts and requests that finish
    // during the stop are exported too.
    teardown.add('tracing', () => tracing.stop());
    const database = await openDatabase(
      {
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: config.dbPoolSize,
        applicationName: `hookline-${config.role}`,
      },
      logger,
    );
    teardown.add('database', () => database.close());

    const notifier: Notifier =
      database.mode === 'embedded'
        ? createInProcessNotifier(logger)
        : createPostgresNotifier(database.connectionString, logger);
    const transactions = transactionsWithOutbox(database.db, notifier);
    const keyring = openKeyring(config, logger);
    const { applied, operatorKey, sealed } = await withBootstrapLock(database, async () => {
      const applied = await migrateToLatest(database.db);
      // Plain-text secrets (from before encryption at rest) and those sealed with a previous key.
      const sealed = await sealSecretsAtRest(database.db, keyring);
      // Retired keys are announced, so that processes already running close their connections.
      const operatorKey = await ensureOperatorKey(
        database.db,
        transactions,
        config.adminKey,
        logger,
      );
      return { applied, operatorKey, sealed };
    });
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    if (sealed > 0) {
      logger.info(
        { webhooks: sealed, keyId: keyring.currentKeyId },
        'sealed secrets at rest with the current encryption key',
      );
    }
    if (operatorKey.generated) {
      logger.warn(
        { apiKeyId: operatorKey.generated.row.id },
        'Generated an operator key: it is shown once, in plain text on standard error, never in the log',
      );
    }
    const metrics = createMetrics();
    registerDatabaseGauges(metrics, { db: database.db, pool: database.pool, logger });

    const runWorker = config.role !== 'api';
    const serveApi = config.role !== 'worker';

    await notifier.start();
    teardown.add('notifier', () => notifier.stop());

    // pg-boss installs its schema on first start: one process at a time.
    const queue: Queue = await withBootstrapLock(database, () =>
      startQueue({
        pool: database.pool,
        mode: database.mode,
        supervise: runWorker,
        ...jobLifetimes(config),
        logger,
      }),
    );
    teardown.add('queue', () => queue.stop({ graceful: false, close: false }));
    // The CLI beside an embedded server works through its API (see local-access.ts).
    const localAccessKey =
      database.mode === 'embedded' && serveApi ? createLocalAccessKey() : undefined;
    const authenticator = createAuthenticator({ db: database.db, notifier, localAccessKey });
    teardown.add('authenticator', () => authenticator.stop());
    const fanOut = createFanOut({ queue, endpoints: config.delivery.endpoints });
    const recentAttempts = new RecentAttempts();
    const ingest = createEventIngest({ transactions, fanOut, tracer: tracing.tracer });

    let worker: DeliveryWorker | undefined;
    if (runWorker) {
      const client: DeliveryClient = createDeliveryClient({
        connectTimeoutMs: config.delivery.connectTimeoutMs,
        totalTimeoutMs: config.delivery.requestTimeoutMs,
        maxResponseBytes: 64 * 1024,
        addressPolicy: createAddressPolicy(config.delivery.allowNetworks),
      });
      teardown.add('delivery client', () => client.close());
      const listeners = createListenerRelay({ db: database.db, notifier, logger });
      teardown.add('listener relay', () => listeners.stop());
      worker = createDeliveryWorker({
        listeners,
        db: database.db,
        transactions,
        queue,
        notifier,
        fanOut,
        client,
        keyring,
        logger,
        recentAttempts,
        tracer: tracing.tracer,
        // The embedded database has one process and one connection: nothing to serialize.
        fetchDb: database.mode === 'postgres' ? serializedFetchDb(database.pool) : undefined,
        concurrency: config.delivery.concurrency,
        scheduleSeconds: config.delivery.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS,
        disableAfterSeconds: config.delivery.disableAfterSeconds,
        requestTimeoutMs: config.delivery.requestTimeoutMs,
        endpoints: config.delivery.endpoints,
        circuit: config.delivery.circuit,
        onSettled: (settlements, recorded) => {
          countSettlements(metrics, settlements);
          logSettlements(logger, settlements, recorded.notices);
        },
        onCircuitChanges: (changes) => logCircuitChanges(logger, changes),
      });
      worker.start();
      const startedWorker = worker;
      teardown.add('delivery worker', () => startedWorker.stop(config.shutdownTimeoutMs));
      const retention = createRetentionScheduler({
        db: database.db,
        mode: database.mode,
        logger,
        days: config.retention.days,
        intervalMs: config.retention.intervalSeconds * 1000,
      });
      retention.start();
      teardown.add('retention', () => retention.stop());
    }

    // The call-setup lane answers within a deadline from the API process itself: a client of its
    // own (its own connection pool) with the workers' SSRF guard, behind no queue.
    let callSetups: CallSetupLane | undefined;
    if (serveApi) {
      const lane = createCallSetupLane({
        db: database.db,
        ingest,
        keyring,
        transactions,
        fanOut,
        metrics,
        client: createDeliveryClient({
          connectTimeoutMs: config.delivery.connectTimeoutMs,
          totalTimeoutMs: MAX_CALL_SETUP_DEADLINE_MS,
          // One byte over the answer's limit, to tell an answer that is too large.
          maxResponseBytes: MAX_CALL_VARIABLES_BYTES + 1,
          addressPolicy: createAddressPolicy(config.delivery.allowNetworks),
        }),
        settings: {
          defaultDeadlineMs: config.callSetup.defaultDeadlineMs,
          requestTimeoutMs: config.delivery.requestTimeoutMs,
          circuit: config.delivery.circuit,
          disableAfterSeconds: config.delivery.disableAfterSeconds,
        },
        logger,
        recentAttempts,
      });
      callSetups = lane;
      teardown.add('call setups', () => lane.stop());
    }
    const runtime: Runtime = {
      transactions,
      fanOut,
      ingest,
      metrics,
      notifier,
      keyring,
      callSetups,
      liveFeeds: new LiveFeeds({ notifier, db: database.db, logger }),
      deliveryFeeds: createDeliveryFeeds(recentAttempts),
    };

    const routes: Record<string, RouteHandler> = {
      '/healthz': healthz,
      '/readyz': readyz(database.db),
      '/metrics': metricsRoute(metrics),
    };
    const live = createLiveSubscriptions(metrics);
    let api: { yoga: HooklineYoga; connections: KeyConnections } | undefined;
    if (serveApi) {
      Object.assign(
        routes,
        dashboardRoutes(logger, (options.buildDashboard ?? buildDashboard)(), {
          frameAncestors: config.portal.frameAncestors,
        }),
      );
      const graphiql = config.production ? undefined : offlineGraphiQL();
      if (graphiql) Object.assign(routes, graphiql.routes);
      // Every WebSocket and SSE stream, by key: closed on revocation, capped per key.
      const connections = watchKeyConnections({
        notifier,
        db: database.db,
        logger,
        maxPerKey: config.subscriptions.maxConnectionsPerKey,
      });
      teardown.add('key connections', () => connections.stop());
      const yoga = createHooklineYoga({
        graphiql,
        schema,
        db: database.db,
        config,
        logger,
        runtime,
        authenticator,
        plugins: [
          ...(tracing.enabled ? [useOperationSpans(tracing.tracer)] : []),
          useRequestLog(logger),
          live.plugin,
          useSseKeyConnections(connections),
        ],
      });
      teardown.add('yoga', () => yoga.dispose());
      api = { yoga, connections };
    }
    const server: Server = createHttpServer({
      routes,
      fallback: api && ((req, res) => api.yoga.handle(req, res)),
      logger,
    });
    const http = createHttpDrain(server);
    teardown.add('http server', () => http.drain(config.shutdownTimeoutMs));
    if (api) {
      const socket: GraphQLWebSocket = attachGraphQLWebSocket(server, api.yoga, {
        db: database.db,
        logger,
        connections: api.connections,
        maxSubscriptionsPerConnection: config.subscriptions.maxPerConnection,
      });
      teardown.add('websocket', () => socket.dispose());
    }
    // First of all at stop: no new connections; subscriptions end (SSE streams complete).
    teardown.add('stop accepting', () => {
      http.stopAccepting();
      return live.endAll();
    });
    const address = await listen(server, config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    if (localAccessKey) {
      const access = { pid: process.pid, url: localBaseUrl(address), key: localAccessKey };
      teardown.add('local access file', publishLocalAccess(config.dataDir, access));
    }
    const links = serverLinks(localBaseUrl(address), {
      api: serveApi,
      graphiql: serveApi && !config.production,
    });
    logger.info(
      { url, role: config.role, database: database.mode, ...links },
      'Hookline is listening',
    );

    return {
      url,
      port: address.port,
      links,
      generatedOperatorKey: operatorKey.generated?.apiKey,
      database,
      runtime,
      tracing,
      stop: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
