import type { Db } from '../db/database.ts';
import type { ApiKeyRow, NewApiKeyRow, OrganizationRow } from './auth.table.ts';

export async function insertOrganization(
  db: Db,
  row: { id: string; name: string },
): Promise<OrganizationRow> {
  return db.insertInto('organizations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOrganization(db: Db, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertApiKey(db: Db, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findApiKeyForOrganization(
  db: Db,
  organizationId: string,
  id: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listApiKeyRows(db: Db, organizationId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id')
    .execute();
}

export async function revokeApiKeyRow(
  db: Db,
  organizationId: string,
  id: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function hasOperatorKey(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('api_keys')
    .select('id')
    .where('role', '=', 'operator')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listOperatorKeyRows(db: Db): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('role', '=', 'operator')
    .orderBy('id')
    .execute();
}

/** The active operator keys, locked until the transaction ends: revocations take turns. */
export async function lockActiveOperatorKeys(db: Db): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('role', '=', 'operator')
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function findOperatorKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('role', '=', 'operator')
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function revokeOperatorKeyRows(db: Db, ids: readonly string[]): Promise<ApiKeyRow[]> {
  if (ids.length === 0) return [];
  return db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('role', '=', 'operator')
    .where('id', 'in', ids)
    .where('revoked_at', 'is', null)
    .returningAll()
    .execute();
}

export async function markOperatorKeyConfigured(db: Db, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ source: 'configured', name: 'HOOKLINE_ADMIN_KEY' })
    .where('id', '=', id)
    .execute();
}
