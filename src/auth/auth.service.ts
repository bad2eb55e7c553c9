import type { Db } from '../db/database.ts';
import { newId } from '../shared/ids.ts';
import {
  apiKeyHint,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  isWellFormedApiKey,
} from './api-key.ts';
import { findApiKeyByHash, insertApiKey, insertOrganization } from './auth.repository.ts';
import type { ApiKeyRow, OperatorKeySource, OrganizationRow } from './auth.table.ts';
import type { Viewer } from './viewer.ts';

/** Resolves a presented key to a viewer; undefined for unknown, malformed or revoked keys. */
export async function authenticate(
  db: Db,
  presented: string | undefined,
): Promise<Viewer | undefined> {
  // Generated keys are well formed; a configured HOOKLINE_ADMIN_KEY may be any long string.
  if (
    !presented ||
    (!isWellFormedApiKey(presented) && (presented.length < 24 || presented.length > 256))
  )
    return undefined;
  const hash = hashApiKey(presented);
  const row = await findApiKeyByHash(db, hash);
  // The lookup is by hash, so timing reveals nothing about the key; the equality check guards
  // against a collation or index surprise ever matching a different hash.
  if (!row || row.revoked_at !== null || !hashesEqual(row.key_hash, hash)) return undefined;
  if (row.role === 'operator') return { kind: 'operator', apiKeyId: row.id };
  if (!row.organization_id) return undefined;
  return { kind: 'organization', apiKeyId: row.id, organizationId: row.organization_id };
}

export interface IssuedKey {
  apiKey: string;
  row: ApiKeyRow;
}

/** A new key of an organization or, without one, an operator key. */
export async function issueApiKey(
  db: Db,
  input: { organizationId: string | null; name: string; source?: OperatorKeySource },
): Promise<IssuedKey> {
  const apiKey = generateApiKey();
  const row = await insertApiKey(db, {
    id: newId('ApiKey'),
    organization_id: input.organizationId,
    role: input.organizationId ? 'organization' : 'operator',
    source: input.organizationId ? null : (input.source ?? 'generated'),
    name: input.name,
    key_hash: hashApiKey(apiKey),
    key_hint: apiKeyHint(apiKey),
  });
  return { apiKey, row };
}

export async function createOrganizationWithKey(
  db: Db,
  name: string,
): Promise<{ organization: OrganizationRow; apiKey: string; key: ApiKeyRow }> {
  const organization = await insertOrganization(db, { id: newId('Organization'), name });
  const issued = await issueApiKey(db, { organizationId: organization.id, name: 'default' });
  return { organization, apiKey: issued.apiKey, key: issued.row };
}
