import { type Kysely, sql } from 'kysely';

/**
 * Where an operator key came from: `configured` (HOOKLINE_ADMIN_KEY) or `generated` (the first
 * start without one). A newly configured key retires the previously configured one, so at most
 * one configured key is active; the partial unique index holds that even against a race.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('source', 'text', (c) => c.check(sql`source in ('configured', 'generated')`))
    .execute();
  // Until now the name told them apart.
  await sql`update api_keys set source = case when name = 'HOOKLINE_ADMIN_KEY'
    then 'configured' else 'generated' end where role = 'operator'`.execute(db);
  await sql`create unique index api_keys_one_configured_operator_key on api_keys (role)
    where source = 'configured' and revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists api_keys_one_configured_operator_key`.execute(db);
  await db.schema.alterTable('api_keys').dropColumn('source').execute();
}
