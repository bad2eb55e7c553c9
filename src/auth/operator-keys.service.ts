import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { apiKeyHint, hashApiKey } from './api-key.ts';
import {
  findApiKeyByHash,
  findOperatorKey,
  hasOperatorKey,
  insertApiKey,
  listOperatorKeyRows,
  lockActiveOperatorKeys,
  markOperatorKeyConfigured,
  revokeOperatorKeyRows,
} from './auth.repository.ts';
import { type IssuedKey, issueApiKey } from './auth.service.ts';
import type { ApiKeyRow, OperatorKeySource } from './auth.table.ts';

/**
 * Operator keys create organizations and manage each other. They come from HOOKLINE_ADMIN_KEY
 * (`configured`) or are generated on a first start without one (`generated`). Rotation:
 *
 * - a process starting with a HOOKLINE_ADMIN_KEY registers it if it is new and retires every
 *   other configured key: one configured key is active, the one set now;
 * - a process starting with a configured key that was retired or revoked changes nothing and
 *   says so (a process left on the old setting cannot take the new key's place back);
 * - any operator key can be revoked through the API, except the last active one: there is always
 *   a key to work with, and setting a new HOOKLINE_ADMIN_KEY is the way back from a lost one.
 */
export interface OperatorKey {
  id: string;
  name: string;
  hint: string;
  source: OperatorKeySource;
  createdAt: Date;
  revokedAt: Date | null;
}

export function toOperatorKey(row: ApiKeyRow): OperatorKey {
  return {
    id: row.id,
    name: row.name,
    hint: row.key_hint,
    source: row.source ?? 'generated',
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** Every operator key, revoked ones included, oldest first; never the keys themselves. */
export async function listOperatorKeys(db: Db): Promise<OperatorKey[]> {
  return (await listOperatorKeyRows(db)).map(toOperatorKey);
}

/**
 * Revokes an operator key at once (connections opened with it are closed, as for any key), unless
 * it is the last active one. The active keys are locked first, so two revocations at the same
 * time cannot each leave the other's key as the last and both go ahead.
 */
export async function revokeOperatorKey(
  transactions: Transactions,
  id: string,
): Promise<OperatorKey> {
  return transactions(async (trx, outbox) => {
    const active = await lockActiveOperatorKeys(trx);
    if (!active.some((key) => key.id === id)) {
      const key = await findOperatorKey(trx, id);
      if (!key) throw new NotFoundError('Operator key', id);
      throw new ConflictError(`Operator key ${id} is already revoked`);
    }
    if (active.length === 1) {
      throw new ConflictError(
        `Operator key ${id} is the only active operator key and cannot be revoked: set a new HOOKLINE_ADMIN_KEY and restart Hookline first (that registers the new key), then revoke this one`,
      );
    }
    const [row] = await revokeOperatorKeyRows(trx, [id]);
    outbox.notify({ revokedKeys: [id] });
    return toOperatorKey(row!);
  });
}

export interface OperatorKeyAtStart {
  /** A key generated now: shown to the operator once, then never again. */
  generated?: IssuedKey;
}

/**
 * At start: registers a configured HOOKLINE_ADMIN_KEY (retiring the previously configured one),
 * or, when there is no configured key and no operator key at all, generates one.
 */
export async function ensureOperatorKey(
  db: Kysely<Database>,
  transactions: Transactions,
  configuredKey: string | undefined,
  logger: Logger,
): Promise<OperatorKeyAtStart> {
  if (configuredKey) {
    await registerConfiguredKey(db, transactions, configuredKey, logger);
    return {};
  }
  if (await hasOperatorKey(db)) return {};
  const generated = await issueApiKey(db, {
    organizationId: null,
    name: 'generated operator key',
    source: 'generated',
  });
  return { generated };
}

async function registerConfiguredKey(
  db: Kysely<Database>,
  transactions: Transactions,
  configuredKey: string,
  logger: Logger,
): Promise<void> {
  const hash = hashApiKey(configuredKey);
  const existing = await findApiKeyByHash(db, hash);
  if (existing?.role === 'organization') {
    logger.warn(
      { apiKeyId: existing.id },
      'HOOKLINE_ADMIN_KEY is an organization’s API key, not an operator key: it stays an organization key',
    );
    return;
  }
  if (existing?.revoked_at) {
    logger.warn(
      { apiKeyId: existing.id, revokedAt: existing.revoked_at },
      'HOOKLINE_ADMIN_KEY is an operator key that was retired or revoked: it does not work. Set the current operator key, or a new one to rotate',
    );
    return;
  }

  // New, already configured, or a generated key now set as HOOKLINE_ADMIN_KEY: it becomes the
  // one configured key. Processes start one at a time (the bootstrap lock), and the lock on the
  // active keys keeps a revocation from interleaving.
  const { id, retired } = await transactions(async (trx, outbox) => {
    const previous = (await lockActiveOperatorKeys(trx)).filter(
      (key) => key.source === 'configured' && key.id !== existing?.id,
    );
    const retired = await revokeOperatorKeyRows(
      trx,
      previous.map((key) => key.id),
    );
    let id = existing?.id;
    if (existing && existing.source !== 'configured') {
      await markOperatorKeyConfigured(trx, existing.id);
    } else if (!id) {
      id = newId('ApiKey');
      await insertApiKey(trx, {
        id,
        organization_id: null,
        role: 'operator',
        name: 'HOOKLINE_ADMIN_KEY',
        source: 'configured',
        key_hash: hash,
        key_hint: apiKeyHint(configuredKey),
      });
    }
    if (retired.length > 0) outbox.notify({ revokedKeys: retired.map((key) => key.id) });
    return { id, retired: retired.map((key) => key.id) };
  });
  if (retired.length > 0) {
    logger.info(
      { apiKeyId: id, retiredApiKeyIds: retired },
      'HOOKLINE_ADMIN_KEY is the configured operator key: the previously configured one is retired and no longer works',
    );
  } else if (existing?.source !== 'configured') {
    logger.info({ apiKeyId: id }, 'HOOKLINE_ADMIN_KEY is registered as an operator key');
  }
}
