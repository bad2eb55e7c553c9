import type { Db } from '../db/database.ts';
import { NotFoundError } from '../shared/errors.ts';
import {
  findApiKeyForOrganization,
  findOrganization,
  listApiKeyRows,
  revokeApiKeyRow,
} from './auth.repository.ts';
import type { ApiKeyRow, OrganizationRow } from './auth.table.ts';
import type { OrganizationRole } from './viewer.ts';

export interface Organization {
  id: string;
  name: string;
  brandingName: string | null;
  brandingAccentColor: string | null;
  createdAt: Date;
}

/** A key as the API shows it: never the key itself, which exists only at creation. */
export interface ApiKey {
  id: string;
  organizationId: string | null;
  name: string;
  hint: string;
  role: OrganizationRole;
  createdAt: Date;
  revokedAt: Date | null;
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    brandingName: row.branding_name,
    brandingAccentColor: row.branding_accent_color,
    createdAt: row.created_at,
  };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    hint: row.key_hint,
    role: row.organization_role ?? 'ADMIN',
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export async function getOrganization(db: Db, id: string): Promise<Organization | undefined> {
  const row = await findOrganization(db, id);
  return row && toOrganization(row);
}

export async function getApiKey(
  db: Db,
  organizationId: string,
  id: string,
): Promise<ApiKey | undefined> {
  const row = await findApiKeyForOrganization(db, organizationId, id);
  return row && toApiKey(row);
}

/**
 * Revoking takes effect on the next request: keys are looked up on every operation. Open
 * connections are closed by `revokeApiKeyEverywhere` (key-revocation.ts), which calls this.
 */
export async function revokeApiKey(db: Db, organizationId: string, id: string): Promise<ApiKey> {
  const row = await revokeApiKeyRow(db, organizationId, id);
  if (!row) throw new NotFoundError('API key', id);
  return toApiKey(row);
}

/**
 * Sets the organization's branding: a field left undefined keeps its value, null goes back to
 * the server's default.
 */
export async function setOrganizationBranding(
  db: Db,
  id: string,
  branding: { platformName?: string | null; accentColor?: string | null },
): Promise<Organization> {
  const changes = {
    ...(branding.platformName === undefined ? {} : { branding_name: branding.platformName }),
    ...(branding.accentColor === undefined ? {} : { branding_accent_color: branding.accentColor }),
  };
  const row =
    Object.keys(changes).length === 0
      ? await findOrganization(db, id)
      : await db
          .updateTable('organizations')
          .set(changes)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
  if (!row) throw new NotFoundError('Organization', id);
  return toOrganization(row);
}

/** Every key of the organization, revoked ones included, oldest first; never the keys themselves. */
export async function listApiKeys(db: Db, organizationId: string): Promise<ApiKey[]> {
  return (await listApiKeyRows(db, organizationId)).map(toApiKey);
}
