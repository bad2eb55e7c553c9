import type { Generated, Insertable, Selectable } from 'kysely';
import type { OrganizationRole } from './viewer.ts';

export interface OrganizationsTable {
  id: string;
  name: string;
  /** What the dashboard calls itself for this organization's users (portal branding). */
  branding_name: string | null;
  /** `#rrggbb`: the dashboard's accent colour for them. */
  branding_accent_color: string | null;
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
  /** Organization keys only: what the key may do. */
  organization_role: OrganizationRole | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
