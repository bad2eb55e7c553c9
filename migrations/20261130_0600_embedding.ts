import { type Kysely, sql } from 'kysely';

/**
 * Embedding Hookline in a platform (issue #17): roles of organization keys, static headers of
 * webhooks, the operational endpoint, portal sessions and branding. Secrets at rest are sealed by the start that follows
 * (webhooks/seal-at-rest.ts): the key is configuration, which a migration does not see, so the
 * signing secrets this migration finds in plain text are encrypted by that start, under the same
 * bootstrap lock, before any process serves a request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // What an organization's key may do; every key so far could do everything.
  await db.schema
    .alterTable('api_keys')
    .addColumn('organization_role', 'text', (c) =>
      c.check(sql`organization_role in ('ADMIN', 'EMITTER', 'VIEWER')`),
    )
    .execute();
  await sql`update api_keys set organization_role = 'ADMIN' where role = 'organization'`.execute(
    db,
  );

  await db.schema
    .alterTable('webhooks')
    // Static request headers, sealed as one JSON value.
    .addColumn('headers', 'text')
    .addColumn('operational', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  // One live operational endpoint per organization.
  await db.schema
    .createIndex('webhooks_one_operational')
    .on('webhooks')
    .column('organization_id')
    .unique()
    .where(sql.ref('operational'), '=', true)
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .alterTable('organizations')
    .addColumn('branding_name', 'text')
    .addColumn('branding_accent_color', 'text', (c) =>
      c.check(sql`branding_accent_color ~ '^#[0-9a-f]{6}$'`),
    )
    .execute();

  // Dashboard sign-in links and their sessions: hashes only (auth/portal-sessions.service.ts).
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('ADMIN', 'VIEWER')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('credential_hash', 'text', (c) => c.unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('exchanged_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('portal_sessions_organization')
    .on('portal_sessions')
    .columns(['organization_id', 'expires_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('portal_sessions').execute();
  await db.schema
    .alterTable('organizations')
    .dropColumn('branding_name')
    .dropColumn('branding_accent_color')
    .execute();
  await db.schema.dropIndex('webhooks_one_operational').execute();
  await db.schema.alterTable('webhooks').dropColumn('headers').dropColumn('operational').execute();
  await db.schema.alterTable('api_keys').dropColumn('organization_role').execute();
}
