import { type Kysely, sql } from 'kysely';

// Migrations never import application types: they must stay valid as the code moves on.
export async function up(db: Kysely<any>): Promise<void> {
  // HTTP: the worker POSTs to the URL. LISTENER: a developer's `hookline listen` receives the
  // request over its WebSocket and forwards it on their machine.
  await db.schema
    .alterTable('webhooks')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('HTTP'))
    .execute();
  // Which listener webhooks have a `hookline listen` connected, in any API process: a session
  // refreshes seen_at while it lasts, so a crashed process's sessions go stale by themselves.
  await db.schema
    .createTable('listener_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('listener_sessions_webhook')
    .on('listener_sessions')
    .columns(['webhook_id', 'seen_at'])
    .execute();
  // One attempt's request on its way to a listener and its answer back: the worker and the API
  // process holding the listener's socket may be different processes. Deleted once answered.
  await db.schema
    .createTable('listener_exchanges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) =>
      c.notNull().references('webhooks.id').onDelete('cascade'),
    )
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('request_headers', 'jsonb', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('listener_exchanges_webhook')
    .on('listener_exchanges')
    .columns(['webhook_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('listener_exchanges').execute();
  await db.schema.dropTable('listener_sessions').execute();
  await db.schema.alterTable('webhooks').dropColumn('kind').execute();
}
