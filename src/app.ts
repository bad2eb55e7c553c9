import type { Server } from 'node:http';
import { ensureOperatorKey } from './auth/auth.service.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { createCallSetupLane } from './call-setup/call-setup.service.ts';
import { MAX_CALL_SETUP_DEADLINE_MS } from './call-setup/call-setup-deadline.ts';
import { MAX_CALL_VARIABLES_BYTES } from './call-setup/call-variables.ts';
import type { Config } from './config/config.ts';
import { withBootstrapLock } from './db/bootstrap-lock.ts';
import { type DatabaseHandle, openDatabase } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createDeliveryWorker, type DeliveryWorker } from './deliveries/delivery-worker.ts';
import { createFanOut } from './deliveries/fan-out/fan-out.ts';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './deliveries/policies/retry-schedule.ts';
import { recentAttemptsOf } from './deliveries/recent-attempts.ts';
import {
  createAddressPolicy,
  createDeliveryClient,
  type DeliveryClient,
} from './delivery-client/index.ts';
import { schema } from './graphql/schema.ts';
import { dashboardRoutes } from './http/dashboard.ts';
import { healthz, readyz } from './http/health.ts';
import { createHttpServer, listen, type RouteHandler } from './http/server.ts';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './http/websocket.ts';
import { createHooklineYoga, type HooklineYoga } from './http/yoga.ts';
import { logCircuitChanges, logSettlements } from './logging/attempt-log.ts';
import { useRequestLog } from './logging/request-log.ts';
import { registerDatabaseGauges } from './metrics/database-gauges.ts';
import { createMetrics } from './metrics/metrics.ts';
import { metricsRoute } from './metrics/metrics-route.ts';
import { countSettlements } from './metrics/settlement-metrics.ts';
import {
  createInProcessNotifier,
  createPostgresNotifier,
  type Notifier,
} from './pubsub/notifier.ts';
import { type Queue, startQueue } from './queue/queue.ts';
import { serializedFetchDb } from './queue/serialized-fetch.ts';
import { createRetentionScheduler } from './retention/retention-scheduler.ts';
import { createServices, type Services } from './services.ts';
import type { Logger } from './shared/logger.ts';
import { createHttpDrain } from './shutdown/http-drain.ts';
import { createLiveSubscriptions } from './shutdown/live-subscriptions.ts';

export interface Hookline {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  database: DatabaseHandle;
  services: Services;
  stop(): Promise<void>;
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
export async function startHookline(config: Config, logger: Logger): Promise<Hookline> {
  const teardown = new Teardown(logger);
  try {
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

    const applied = await withBootstrapLock(database, async () => {
      const applied = await migrateToLatest(database.db);
      await ensureOperatorKey(database.db, config.adminKey, logger);
      return applied;
    });
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    const metrics = createMetrics();
    registerDatabaseGauges(metrics, { db: database.db, pool: database.pool, logger });

    const runWorker = config.role !== 'api';
    const serveApi = config.role !== 'worker';

    const notifier: Notifier =
      database.mode === 'embedded'
        ? createInProcessNotifier(logger)
        : createPostgresNotifier(database.connectionString, logger);
    await notifier.start();
    teardown.add('notifier', () => notifier.stop());

    // pg-boss installs its schema on first start: one process at a time.
    const queue: Queue = await withBootstrapLock(database, () =>
      startQueue({
        pool: database.pool,
        mode: database.mode,
        supervise: runWorker,
        expireInSeconds: Math.ceil(config.delivery.requestTimeoutMs / 1000) + 15,
        deleteAfterSeconds: Math.round(config.retention.days * 86_400),
        logger,
      }),
    );
    teardown.add('queue', () => queue.stop({ graceful: false, close: false }));
    const authenticator = createAuthenticator({ db: database.db, notifier });
    teardown.add('authenticator', () => authenticator.stop());
    const fanOut = createFanOut({ queue, notifier, endpoints: config.delivery.endpoints });
    const recentAttempts = recentAttemptsOf(notifier);
    const services = createServices(database.db, { fanOut, notifier, metrics });

    let worker: DeliveryWorker | undefined;
    if (runWorker) {
      const client: DeliveryClient = createDeliveryClient({
        connectTimeoutMs: config.delivery.connectTimeoutMs,
        totalTimeoutMs: config.delivery.requestTimeoutMs,
        maxResponseBytes: 64 * 1024,
        addressPolicy: createAddressPolicy(config.delivery.allowNetworks),
      });
      teardown.add('delivery client', () => client.close());
      worker = createDeliveryWorker({
        db: database.db,
        queue,
        notifier,
        fanOut,
        client,
        logger,
        recentAttempts,
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
    const apiServices: Services = { ...services };
    if (serveApi) {
      const callSetups = createCallSetupLane({
        db: database.db,
        services,
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
      apiServices.callSetups = callSetups;
      teardown.add('call setups', () => callSetups.stop());
    }

    const routes: Record<string, RouteHandler> = {
      '/healthz': healthz,
      '/readyz': readyz(database.db),
      '/metrics': metricsRoute(metrics),
    };
    const live = createLiveSubscriptions(metrics);
    let yoga: HooklineYoga | undefined;
    if (serveApi) {
      Object.assign(routes, dashboardRoutes(logger));
      yoga = createHooklineYoga({
        schema,
        db: database.db,
        config,
        logger,
        services: apiServices,
        authenticator,
        plugins: [useRequestLog(logger), live.plugin],
      });
      const api = yoga;
      teardown.add('yoga', () => api.dispose());
    }
    const api = yoga;
    const server: Server = createHttpServer({
      routes,
      fallback: api && ((req, res) => api.handle(req, res)),
      logger,
    });
    const http = createHttpDrain(server);
    teardown.add('http server', () => http.drain(config.shutdownTimeoutMs));
    let ws: GraphQLWebSocket | undefined;
    if (api) {
      ws = attachGraphQLWebSocket(server, api, database.db, logger, notifier);
      const socket = ws;
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
    logger.info({ url, role: config.role, database: database.mode }, 'Hookline is listening');

    return {
      url,
      port: address.port,
      database,
      services: apiServices,
      stop: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
