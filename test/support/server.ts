import {
  CreateOrganizationDocument,
  createHooklineClient,
  type HooklineClient,
} from '@hookline/client';
import { buildDashboard, type DashboardBuild } from '../../dashboard/build.ts';
import { type Hookline, type HooklineOptions, startHookline } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const TEST_ADMIN_KEY = 'test-operator-key-0123456789abcdef';

export interface TestServer {
  url: string;
  database: TestDatabase;
  hookline: Hookline;
  operator: HooklineClient;
  /** A client with a new organization's key. */
  newOrganization(
    name?: string,
  ): Promise<{ client: HooklineClient; apiKey: string; organizationId: string }>;
  client(apiKey?: string): HooklineClient;
  stop(): Promise<void>;
}

let dashboardBuild: Promise<DashboardBuild> | undefined;

/** One dashboard build for every server a test file starts: each would build the same files. */
function sharedDashboardBuild(): Promise<DashboardBuild> {
  dashboardBuild ??= buildDashboard();
  return dashboardBuild;
}

/**
 * A real Hookline (HTTP, WebSocket, PostgreSQL) in this process, on a port of its own, against
 * a fresh database. The test file calls `stop()` in its `after` hook. `options`: what the
 * composition root takes beside the configuration (a span exporter, say).
 */
export async function startTestServer(
  label: string,
  env: Record<string, string> = {},
  options: HooklineOptions = {},
): Promise<TestServer> {
  const database = await createTestDatabase(label);
  const config = parseConfig({
    ...database.env,
    PORT: '0',
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8,::1/128',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOOKLINE_DB_POOL_SIZE: '5',
    ...env,
  });
  const hookline = await startHookline(config, createLogger({ level: config.logLevel }), {
    buildDashboard: sharedDashboardBuild,
    ...options,
  });
  const clients: HooklineClient[] = [];
  const client = (apiKey?: string) => {
    const c = createHooklineClient({ url: hookline.url, apiKey });
    clients.push(c);
    return c;
  };
  const operator = client(TEST_ADMIN_KEY);
  let stopped = false;
  const server: TestServer = {
    url: hookline.url,
    database,
    hookline,
    operator,
    client,
    async newOrganization(name = 'Acme Voice') {
      const result = await operator.request(CreateOrganizationDocument, { input: { name } });
      const apiKey = result.createOrganization.apiKey;
      return {
        client: client(apiKey),
        apiKey,
        organizationId: result.createOrganization.organization.id,
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(clients.map((c) => c.close()));
      await hookline.stop();
      await database.drop();
    },
  };
  return server;
}
