import type { Transaction } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { Keyring } from '../shared/keyring.ts';
import { toWebhook, type Webhook } from './webhook.ts';
import * as webhooksRepository from './webhooks.repository.ts';
import { createWebhook, deleteWebhook, setWebhookEnabled } from './webhooks.service.ts';

/**
 * An organization's one operational endpoint: a webhook of its own kind (`operational`), left
 * out of `webhooks`, that gets the operational events Hookline raises about the organization's
 * other endpoints (deliveries/operational-events.ts), signed with its own secret.
 *
 * Setting a URL creates it, or moves it and enables it again (an operational endpoint that
 * Hookline disabled comes back with its secret); null deletes it. The organization's row is
 * locked first, so two calls at once cannot both create one.
 */
export async function setOperationalWebhook(
  trx: Transaction<Database>,
  keyring: Keyring,
  organizationId: string,
  url: string | null,
): Promise<{ current: Webhook | null; removed: Webhook | null }> {
  await trx
    .selectFrom('organizations')
    .select('id')
    .where('id', '=', organizationId)
    .forUpdate()
    .execute();
  const existingRow = await webhooksRepository.findOperationalWebhook(trx, organizationId);
  const existing = existingRow && toWebhook(existingRow);
  if (url === null) {
    if (existing) await deleteWebhook(trx, organizationId, existing.id);
    return { current: null, removed: existing ?? null };
  }
  if (!existing) {
    const created = await createWebhook(trx, keyring, organizationId, {
      url,
      description: 'Operational events',
      operational: true,
    });
    return { current: created, removed: null };
  }
  const moved = await webhooksRepository.updateWebhookRow(trx, organizationId, existing.id, {
    url,
  });
  if (existing.enabled) return { current: toWebhook(moved!), removed: null };
  return {
    current: await setWebhookEnabled(trx, organizationId, existing.id, true),
    removed: null,
  };
}

export async function getOperationalWebhook(
  db: Db,
  organizationId: string,
): Promise<Webhook | undefined> {
  const row = await webhooksRepository.findOperationalWebhook(db, organizationId);
  return row && toWebhook(row);
}
