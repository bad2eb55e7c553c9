import { type Kysely, sql } from 'kysely';

/**
 * Embedding Hookline in a platform (issue #17): roles of organization keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // What an organization's key may do; every key so far could do everything.
  await db.schema
    .alterTable('api_keys')
    .addColumn('organization_role', 'text', (c) =>
      c.check(sql`organization_role in ('ADMIN', 'EMITTER', 'VIEWER')`),
    )
    .execute();
  await sql`update api_keys set organization_role = 'ADMIN' where role = 'organization'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('organization_role').execute();
}
