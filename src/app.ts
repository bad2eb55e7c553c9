import type { Server } from 'node:http';
import { ensureOperatorKey } from './auth/auth.service.ts';
import type { Config } from './config/config.ts';
import { type DatabaseHandle, openDatabase } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { schema } from './graphql/schema.ts';
import { healthz, readyz } from './http/health.ts';
import { createHttpServer, listen, type RouteHandler } from './http/server.ts';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './http/websocket.ts';
import { createHooklineYoga, type HooklineYoga } from './http/yoga.ts';
import type { Logger } from './shared/logger.ts';

export interface Hookline {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  database: DatabaseHandle;
  stop(): Promise<void>;
}

/**
 * The composition root: opens the database, migrates, and starts what this process's role asks
 * for. `stop` undoes it in reverse, closing open sockets first so no client holds the process.
 */
export async function startHookline(config: Config, logger: Logger): Promise<Hookline> {
  const database = await openDatabase(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.dbPoolSize,
      applicationName: `hookline-${config.role}`,
    },
    logger,
  );
  let server: Server | undefined;
  let yoga: HooklineYoga | undefined;
  let ws: GraphQLWebSocket | undefined;
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
    await ensureOperatorKey(database.db, config.adminKey, logger);

    const serveApi = config.role !== 'worker';
    const routes: Record<string, RouteHandler> = {
      '/healthz': healthz,
      '/readyz': readyz(database.db),
    };
    if (serveApi) yoga = createHooklineYoga({ schema, db: database.db, config, logger });
    const api = yoga;
    server = createHttpServer({
      routes,
      fallback: api && ((req, res) => api.handle(req, res)),
      logger,
    });
    if (api) ws = attachGraphQLWebSocket(server, api, database.db, logger);
    const address = await listen(server, config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    logger.info({ url, role: config.role, database: database.mode }, 'Hookline is listening');

    const startedServer = server;
    return {
      url,
      port: address.port,
      database,
      async stop() {
        await ws?.dispose();
        startedServer.closeAllConnections();
        await new Promise<void>((resolve) => startedServer.close(() => resolve()));
        await api?.dispose();
        await database.close();
      },
    };
  } catch (error) {
    await ws?.dispose().catch(() => {});
    server?.close();
    await database.close().catch(() => {});
    throw error;
  }
}
