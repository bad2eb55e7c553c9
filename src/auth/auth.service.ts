import type { Db } from '../db/database.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import {
  apiKeyHint,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  isWellFormedApiKey,
} from './api-key.ts';
import {
  findApiKeyByHash,
  hasOperatorKey,
  insertApiKey,
  insertOrganization,
} from './auth.repository.ts';
import type { ApiKeyRow, OrganizationRow } from './auth.table.ts';
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

export async function issueApiKey(
  db: Db,
  input: { organizationId: string | null; name: string },
): Promise<IssuedKey> {
  const apiKey = generateApiKey();
  const row = await insertApiKey(db, {
    id: newId('ApiKey'),
    organization_id: input.organizationId,
    role: input.organizationId ? 'organization' : 'operator',
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

/**
 * Makes sure an operator key exists. A configured HOOKLINE_ADMIN_KEY is registered (by hash);
 * otherwise, on the very first start, one is generated and returned so it can be shown once.
 */
export async function ensureOperatorKey(
  db: Db,
  configuredKey: string | undefined,
  logger: Logger,
): Promise<void> {
  if (configuredKey) {
    const hash = hashApiKey(configuredKey);
    const existing = await findApiKeyByHash(db, hash);
    if (!existing) {
      await insertApiKey(db, {
        id: newId('ApiKey'),
        organization_id: null,
        role: 'operator',
        name: 'HOOKLINE_ADMIN_KEY',
        key_hash: hash,
        key_hint: apiKeyHint(configuredKey),
      });
    }
    return;
  }
  if (await hasOperatorKey(db)) return;
  const issued = await issueApiKey(db, { organizationId: null, name: 'generated operator key' });
  // Printed once, on purpose: this is the only time anyone can learn it.
  logger.warn(
    { operatorKeyOnce: issued.apiKey },
    'Generated an operator key. Store it now: it is not shown again. Set HOOKLINE_ADMIN_KEY to choose your own.',
  );
}
