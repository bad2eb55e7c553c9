import { type Kysely, sql } from 'kysely';

// Migrations never import application types: they must stay valid as the code moves on.
export async function up(db: Kysely<any>): Promise<void> {
  // Per-endpoint settings (null: the configured default) and the circuit breaker's state.
  await db.schema
    .alterTable('webhooks')
    .addColumn('max_concurrency', 'integer')
    .addColumn('rate_limit_per_second', 'integer')
    .addColumn('timeout_ms', 'integer')
    .addColumn('circuit_state', 'text', (c) =>
      c.notNull().defaultTo('CLOSED').check(sql`circuit_state in ('CLOSED', 'OPEN', 'HALF_OPEN')`),
    )
    .addColumn('circuit_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('circuit_opened_at', 'timestamptz')
    .addColumn('circuit_next_probe_at', 'timestamptz')
    .addColumn('circuit_failed_probes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('circuit_probe_delivery_id', 'text')
    .execute();
  // Workers look for circuits due a probe every second: a tiny index, empty while all is well.
  await db.schema
    .createIndex('webhooks_circuit_probe_due')
    .on('webhooks')
    .column('circuit_next_probe_at')
    .where(sql.ref('circuit_state'), '<>', 'CLOSED')
    .execute();

  // HELD: waiting for the endpoint's circuit to close, without a job.
  await sql`alter table deliveries drop constraint deliveries_status_check`.execute(db);
  await sql`alter table deliveries add constraint deliveries_status_check
    check (status in ('PENDING', 'HELD', 'SUCCEEDED', 'FAILED', 'CANCELLED'))`.execute(db);
  // Where a delivery stands with the queue: `waiting` for room at its endpoint (no job yet),
  // `admitted` (a job for an attempt due now), `retrying` (a job for a later retry). Admission
  // bounds each endpoint's admitted deliveries; see src/deliveries/policies/fair-share.ts.
  await db.schema
    .alterTable('deliveries')
    .addColumn('queue_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('waiting')
        .check(sql`queue_state in ('waiting', 'admitted', 'retrying')`),
    )
    .execute();
  // Every pending delivery made before this migration already has its job.
  await sql`update deliveries
    set queue_state = case when series_attempt_count = 0 then 'admitted' else 'retrying' end
    where status = 'PENDING'`.execute(db);
  await db.schema
    .createIndex('deliveries_waiting')
    .on('deliveries')
    .columns(['webhook_id', 'id'])
    .where(sql<boolean>`status = 'PENDING' and queue_state = 'waiting'`)
    .execute();
  await db.schema
    .createIndex('deliveries_held')
    .on('deliveries')
    .columns(['webhook_id', 'id'])
    .where(sql.ref('status'), '=', 'HELD')
    .execute();
  // Admission counts these, per endpoint and per organization.
  await db.schema
    .createIndex('deliveries_admitted_by_webhook')
    .on('deliveries')
    .column('webhook_id')
    .where(sql<boolean>`status = 'PENDING' and queue_state = 'admitted'`)
    .execute();
  await db.schema
    .createIndex('deliveries_admitted_by_organization')
    .on('deliveries')
    .column('organization_id')
    .where(sql<boolean>`status = 'PENDING' and queue_state = 'admitted'`)
    .execute();

  // The next free send slot of each rate-limited endpoint, shared by every worker.
  await db.schema
    .createTable('endpoint_rate_slots')
    .addColumn('webhook_id', 'text', (c) =>
      c.primaryKey().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('next_slot_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('endpoint_rate_slots').ifExists().execute();
  for (const index of [
    'deliveries_waiting',
    'deliveries_held',
    'deliveries_admitted_by_webhook',
    'deliveries_admitted_by_organization',
    'webhooks_circuit_probe_due',
  ]) {
    await db.schema.dropIndex(index).ifExists().execute();
  }
  await sql`update deliveries set status = 'PENDING' where status = 'HELD'`.execute(db);
  await db.schema.alterTable('deliveries').dropColumn('queue_state').execute();
  await sql`alter table deliveries drop constraint deliveries_status_check`.execute(db);
  await sql`alter table deliveries add constraint deliveries_status_check
    check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'))`.execute(db);
  await db.schema
    .alterTable('webhooks')
    .dropColumn('max_concurrency')
    .dropColumn('rate_limit_per_second')
    .dropColumn('timeout_ms')
    .dropColumn('circuit_state')
    .dropColumn('circuit_failures')
    .dropColumn('circuit_opened_at')
    .dropColumn('circuit_next_probe_at')
    .dropColumn('circuit_failed_probes')
    .dropColumn('circuit_probe_delivery_id')
    .execute();
}
