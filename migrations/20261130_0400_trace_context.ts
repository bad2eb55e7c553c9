import type { Kysely } from 'kysely';

// Migrations never import application types: they must stay valid as the code moves on.
export async function up(db: Kysely<any>): Promise<void> {
  // The W3C traceparent of the span that ingested the event, when tracing was on and the span
  // sampled: every attempt of every delivery of the event links to it, in whichever process and
  // however much later it runs. Null otherwise (a null costs nothing in the row).
  await db.schema.alterTable('events').addColumn('traceparent', 'text').execute();
  // Per webhook: send `traceparent` (and `tracestate`) with each attempt. Off unless asked for.
  // A constant default adds the column without rewriting the table.
  await db.schema
    .alterTable('webhooks')
    .addColumn('send_trace_context', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhooks').dropColumn('send_trace_context').execute();
  await db.schema.alterTable('events').dropColumn('traceparent').execute();
}
