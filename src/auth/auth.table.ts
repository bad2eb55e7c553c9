import type { Generated, Insertable, Selectable } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
}

export type ApiKeyRole = 'operator' | 'organization';

export interface ApiKeysTable {
  id: string;
  organization_id: string | null;
  role: ApiKeyRole;
  name: string;
  key_hash: string;
  key_hint: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
