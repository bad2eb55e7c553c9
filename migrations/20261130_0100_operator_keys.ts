import { type Kysely, sql } from 'kysely';

/**
 * Where an operator key came from: `configured` (HOOKLINE_ADMIN_KEY) or `generated` (the first
 * start without one). Until now every key ever configured stayed active; the first start after
 * this migration retires all but the one configured then (see operator-keys.service.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('source', 'text', (c) => c.check(sql`source in ('configured', 'generated')`))
    .execute();
  // Until now the name told them apart.
  await sql`update api_keys set source = case when name = 'HOOKLINE_ADMIN_KEY'
    then 'configured' else 'generated' end where role = 'operator'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('source').execute();
}
