import { type Kysely, sql } from 'kysely';

// Migrations never import application types: they must stay valid as the code moves on.
export async function up(db: Kysely<any>): Promise<void> {
  // Every event type's payload carries callId: kept in a column, for ordering and erasure per call.
  // Test events made from now on have none (they belong to no call); those made before cannot be
  // told from the events of a deleted agent, which must stay erasable, so every one is backfilled.
  await db.schema.alterTable('events').addColumn('call_id', 'text').execute();
  await sql`update events set call_id = payload->>'callId' where payload ? 'callId'`.execute(db);
  // purgeCall finds a call's events by it.
  await db.schema
    .createIndex('events_org_call')
    .on('events')
    .columns(['organization_id', 'call_id'])
    .where(sql.ref('call_id'), 'is not', null)
    .execute();

  // Deliveries carry their event's call (denormalized: admission asks per endpoint and call), and
  // their kind: a notification goes through the queue; a call setup is attempted inline by the
  // API, answered within a deadline, and never queued (src/call-setup).
  await db.schema
    .alterTable('deliveries')
    .addColumn('call_id', 'text')
    .addColumn('kind', 'text', (c) =>
      c.notNull().defaultTo('notification').check(sql`kind in ('notification', 'call_setup')`),
    )
    .execute();
  await sql`update deliveries d set call_id = e.call_id
    from events e where e.id = d.event_id and e.call_id is not null`.execute(db);
  // Admission of an endpoint that orders by call asks whether an earlier delivery of the same call
  // is unfinished (src/deliveries/policies/call-order.ts): a small index of unfinished ones.
  await db.schema
    .createIndex('deliveries_unfinished_by_call')
    .on('deliveries')
    .columns(['webhook_id', 'call_id', 'id'])
    .where(sql<boolean>`status in ('PENDING', 'HELD') and call_id is not null`)
    .execute();

  await db.schema
    .alterTable('webhooks')
    .addColumn('order_by_call', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  // An agent's one call-setup responder, and what a call setup answers when it gets no answer.
  await db.schema
    .alterTable('webhook_subscriptions')
    .addColumn('responds_to_call_setup', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_one_responder')
    .on('webhook_subscriptions')
    .column('agent_id')
    .unique()
    .where(sql<boolean>`responds_to_call_setup`)
    .execute();
  await db.schema
    .alterTable('agents')
    .addColumn('call_setup_fallback', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();

  // One row per call setup, keyed by its event, stored once it has answered: the answer it gave,
  // which an idempotent repeat gives again. It goes with its event (purgeCall, retention).
  await db.schema
    .createTable('call_setups')
    .addColumn('event_id', 'text', (c) =>
      c.primaryKey().references('events.id').onDelete('cascade'),
    )
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('webhook_id', 'text')
    .addColumn('delivery_id', 'text')
    .addColumn('deadline_ms', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(sql`outcome in ('ANSWERED', 'FALLBACK', 'NO_RESPONDER')`),
    )
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('CONTINUE', 'REJECT')`))
    .addColumn('variables', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_setups').ifExists().execute();
  await db.schema.alterTable('agents').dropColumn('call_setup_fallback').execute();
  await db.schema.dropIndex('webhook_subscriptions_one_responder').ifExists().execute();
  await db.schema
    .alterTable('webhook_subscriptions')
    .dropColumn('responds_to_call_setup')
    .execute();
  await db.schema.alterTable('webhooks').dropColumn('order_by_call').execute();
  await db.schema.dropIndex('deliveries_unfinished_by_call').ifExists().execute();
  await sql`delete from deliveries where kind = 'call_setup'`.execute(db);
  await db.schema.alterTable('deliveries').dropColumn('call_id').dropColumn('kind').execute();
  await db.schema.dropIndex('events_org_call').ifExists().execute();
  await db.schema.alterTable('events').dropColumn('call_id').execute();
}
