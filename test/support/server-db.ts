import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';

/**
 * A test server's own database connection, or the server itself. Queries that go through it
 * work on PostgreSQL and on embedded PGlite alike (PGlite serves one connection: a second
 * client of our own would have to wait for the server's).
 */
export type ServerDb = Kysely<Database> | { hookline: { database: { db: Kysely<Database> } } };

export const dbOf = (source: ServerDb): Kysely<Database> =>
  'hookline' in source ? source.hookline.database.db : source;
