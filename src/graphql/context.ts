import type { Kysely } from 'kysely';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { Services } from '../services.ts';
import type { Logger } from '../shared/logger.ts';

/** Built once per operation (HTTP request or WebSocket subscribe). */
export interface GraphQLContext {
  viewer: Viewer | null;
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  services: Services;
  /** Remembers key lookups; `forget` makes a revocation take effect in this process at once. */
  authenticator: Authenticator;
  requestId: string;
}
