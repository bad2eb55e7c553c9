import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import { cancelPendingDeliveriesOfWebhook } from '../deliveries/deliveries.cancel.ts';
import { generateSigningSecret } from '../deliveries/sign.ts';
import { NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { deleteSubscriptionsOfWebhook } from './subscriptions.repository.ts';
import {
  findWebhook,
  findWebhookIncludingDeleted,
  insertWebhook,
  listWebhookRows,
  updateWebhookRow,
} from './webhooks.repository.ts';
import type { WebhookRow } from './webhooks.table.ts';

export interface Webhook {
  id: string;
  organizationId: string;
  url: string;
  description: string;
  enabled: boolean;
  disabledReason: string | null;
  signingSecret: string;
  /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
  previousSigningSecret: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    signingSecret: row.signing_secret,
    previousSigningSecret: row.previous_signing_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    failingSince: row.failing_since,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

/** The secrets a message is signed with now: the current one, and the previous during its grace. */
export function activeSigningSecrets(webhook: Webhook, now = new Date()): string[] {
  const secrets = [webhook.signingSecret];
  if (
    webhook.previousSigningSecret &&
    webhook.previousSecretExpiresAt &&
    webhook.previousSecretExpiresAt > now
  ) {
    secrets.push(webhook.previousSigningSecret);
  }
  return secrets;
}

export async function createWebhook(
  db: Db,
  organizationId: string,
  input: { url: string; description: string },
): Promise<Webhook> {
  const row = await insertWebhook(db, {
    id: newId('Webhook'),
    organization_id: organizationId,
    url: input.url,
    description: input.description,
    signing_secret: generateSigningSecret(),
  });
  return toWebhook(row);
}

export async function getWebhook(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Webhook | undefined> {
  const row = await findWebhook(db, organizationId, id);
  return row && toWebhook(row);
}

export async function getWebhookIncludingDeleted(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Webhook | undefined> {
  const row = await findWebhookIncludingDeleted(db, organizationId, id);
  return row && toWebhook(row);
}

export async function requireWebhook(db: Db, organizationId: string, id: string): Promise<Webhook> {
  const webhook = await getWebhook(db, organizationId, id);
  if (!webhook) throw new NotFoundError('Webhook', id);
  return webhook;
}

export async function listWebhooks(
  db: Db,
  organizationId: string,
  filter: { enabled?: boolean | null },
  page: PageRequest,
): Promise<Webhook[]> {
  return (await listWebhookRows(db, organizationId, filter, page)).map(toWebhook);
}

async function update(
  db: Db,
  organizationId: string,
  id: string,
  changes: Parameters<typeof updateWebhookRow>[3],
): Promise<Webhook> {
  const row = await updateWebhookRow(db, organizationId, id, changes);
  if (!row) throw new NotFoundError('Webhook', id);
  return toWebhook(row);
}

export async function updateWebhook(
  db: Db,
  organizationId: string,
  id: string,
  changes: { url?: string; description?: string },
): Promise<Webhook> {
  return update(db, organizationId, id, changes);
}

/**
 * Enabling clears the reason and the failure streak, so that an endpoint an operator fixed gets
 * its full grace period again; disabling cancels what it still owes.
 */
export async function setWebhookEnabled(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
  enabled: boolean,
  reason: string | null = null,
): Promise<Webhook> {
  return db.transaction().execute(async (trx) => {
    const webhook = await update(trx, organizationId, id, {
      enabled,
      disabled_reason: enabled ? null : reason,
      failing_since: null,
    });
    if (!enabled) await cancelPendingDeliveriesOfWebhook(trx, organizationId, id);
    return webhook;
  });
}

export async function deleteWebhook(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await update(trx, organizationId, id, { deleted_at: new Date(), enabled: false });
    await deleteSubscriptionsOfWebhook(trx, organizationId, id);
    await cancelPendingDeliveriesOfWebhook(trx, organizationId, id);
  });
}

/** The old secret keeps signing alongside the new one for the grace period, so receivers can roll. */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  organizationId: string,
  id: string,
  graceSeconds: number,
): Promise<Webhook> {
  return db.transaction().execute(async (trx) => {
    const current = await requireWebhook(trx, organizationId, id);
    return update(trx, organizationId, id, {
      signing_secret: generateSigningSecret(),
      previous_signing_secret: current.signingSecret,
      previous_secret_expires_at: new Date(Date.now() + graceSeconds * 1000),
    });
  });
}
