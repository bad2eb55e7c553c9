import type { Generated, Selectable } from 'kysely';
import type { OrganizationRole } from './viewer.ts';

/** A dashboard sign-in link and the session it became (portal-sessions.service.ts). */
export interface PortalSessionsTable {
  id: string;
  organization_id: string;
  role: OrganizationRole;
  /** SHA-256 of the link's token; the token itself is never stored. */
  token_hash: string;
  /** SHA-256 of the credential the link was exchanged for; null until then. */
  credential_hash: string | null;
  /** Who made the link: an API key's id, or the operator's. */
  created_by: string;
  expires_at: Date;
  created_at: Generated<Date>;
  exchanged_at: Date | null;
  revoked_at: Date | null;
}

export type PortalSessionRow = Selectable<PortalSessionsTable>;
