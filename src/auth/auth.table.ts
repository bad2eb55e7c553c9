import type { Generated, Insertable, Selectable } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
}

export type ApiKeyRole = 'operator' | 'organization';

/** Where an operator key came from: HOOKLINE_ADMIN_KEY, or generated on the first start. */
export type OperatorKeySource = 'configured' | 'generated';

export interface ApiKeysTable {
  id: string;
  organization_id: string | null;
  role: ApiKeyRole;
  name: string;
  key_hash: string;
  key_hint: string;
  /** Operator keys only. */
  source: OperatorKeySource | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
