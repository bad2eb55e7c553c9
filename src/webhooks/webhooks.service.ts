import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import { NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inOrderOf } from '../shared/in-order-of.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { type EndpointHeader, sealHeaders } from './endpoint-headers.ts';
import type { EndpointSettingsInput } from './endpoint-settings.ts';
import { generateSigningSecret } from './signing-secret.ts';
import * as subscriptionsRepository from './subscriptions.repository.ts';
import { signingSecretContext, toWebhook, type Webhook } from './webhook.ts';
import * as webhooksRepository from './webhooks.repository.ts';
import type { WebhookKind } from './webhooks.table.ts';

/** A new signing secret, sealed for this webhook (the API shows it opened: signingSecretOf). */
export function newSealedSigningSecret(keyring: Keyring, webhookId: string): string {
  return keyring.seal(generateSigningSecret(), signingSecretContext(webhookId));
}

export async function createWebhook(
  db: Db,
  keyring: Keyring,
  organizationId: string,
  input: {
    url: string;
    kind?: WebhookKind;
    description: string;
    headers?: readonly EndpointHeader[] | null;
    operational?: boolean;
    sendTraceContext?: boolean | null;
    orderByCall?: boolean | null;
  } & EndpointSettingsInput,
): Promise<Webhook> {
  const id = newId('Webhook');
  const row = await webhooksRepository.insertWebhook(db, {
    id,
    organization_id: organizationId,
    url: input.url,
    kind: input.kind ?? 'HTTP',
    description: input.description,
    signing_secret: newSealedSigningSecret(keyring, id),
    headers: sealHeaders(keyring, id, input.headers ?? null),
    operational: input.operational ?? false,
    max_concurrency: input.maxConcurrency ?? null,
    rate_limit_per_second: input.rateLimitPerSecond ?? null,
    timeout_ms: input.timeoutMs ?? null,
    send_trace_context: input.sendTraceContext ?? false,
    order_by_call: input.orderByCall ?? false,
  });
  return toWebhook(row);
}

export async function getWebhook(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Webhook | undefined> {
  const row = await webhooksRepository.findWebhook(db, organizationId, id);
  return row && toWebhook(row);
}

export async function getWebhooksByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
  options: { includeDeleted: boolean },
): Promise<(Webhook | null)[]> {
  return inOrderOf(
    ids,
    await webhooksRepository.findWebhooksByIds(db, organizationId, ids, options),
    toWebhook,
  );
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
  return (await webhooksRepository.listWebhookRows(db, organizationId, filter, page)).map(
    toWebhook,
  );
}

async function update(
  db: Db,
  organizationId: string,
  id: string,
  changes: Parameters<typeof webhooksRepository.updateWebhookRow>[3],
): Promise<Webhook> {
  const row = await webhooksRepository.updateWebhookRow(db, organizationId, id, changes);
  if (!row) throw new NotFoundError('Webhook', id);
  return toWebhook(row);
}

/**
 * Fields left undefined keep their value; a setting given as null goes back to the default;
 * headers given replace the webhook's (null or empty: none).
 */
export async function updateWebhook(
  db: Kysely<Database>,
  keyring: Keyring,
  organizationId: string,
  id: string,
  changes: {
    url?: string;
    description?: string;
    headers?: readonly EndpointHeader[] | null;
    sendTraceContext?: boolean | null;
    orderByCall?: boolean | null;
  } & EndpointSettingsInput,
): Promise<Webhook> {
  return db.transaction().execute(async (trx) => {
    const webhook = await update(trx, organizationId, id, {
      url: changes.url,
      description: changes.description,
      headers:
        changes.headers === undefined ? undefined : sealHeaders(keyring, id, changes.headers),
      max_concurrency: changes.maxConcurrency,
      rate_limit_per_second: changes.rateLimitPerSecond,
      timeout_ms: changes.timeoutMs,
      send_trace_context:
        changes.sendTraceContext === undefined ? undefined : (changes.sendTraceContext ?? false),
      order_by_call: changes.orderByCall === null ? false : changes.orderByCall,
    });
    // A new rate applies from now, not after the slots the old one handed out.
    if (changes.rateLimitPerSecond !== undefined) await webhooksRepository.forgetRateSlots(trx, id);
    return webhook;
  });
}

/**
 * Enabling clears the reason, the failure streak and the circuit, so that an endpoint an
 * operator fixed gets its full grace period again. Whoever disables a webhook also cancels what
 * it still owes (deliveries.service cancelDeliveriesOfWebhook), in the same transaction.
 */
export async function setWebhookEnabled(
  trx: Transaction<Database>,
  organizationId: string,
  id: string,
  enabled: boolean,
  reason: string | null = null,
): Promise<Webhook> {
  return update(trx, organizationId, id, {
    enabled,
    disabled_reason: enabled ? null : reason,
    failing_since: null,
    ...webhooksRepository.CLOSED_CIRCUIT,
  });
}

/** A deleted webhook stays, hidden, for its delivery log; its subscriptions go. */
export async function deleteWebhook(
  trx: Transaction<Database>,
  organizationId: string,
  id: string,
): Promise<void> {
  await update(trx, organizationId, id, { deleted_at: new Date(), enabled: false });
  await subscriptionsRepository.deleteSubscriptionsOfWebhook(trx, organizationId, id);
}

/** The old secret keeps signing alongside the new one for the grace period, so receivers can roll. */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  keyring: Keyring,
  organizationId: string,
  id: string,
  graceSeconds: number,
): Promise<Webhook> {
  return db.transaction().execute(async (trx) => {
    const current = await requireWebhook(trx, organizationId, id);
    return update(trx, organizationId, id, {
      signing_secret: newSealedSigningSecret(keyring, id),
      // Both secrets are bound to the webhook, not to a column: the sealed value moves as it is.
      previous_signing_secret: current.sealedSigningSecret,
      previous_secret_expires_at: new Date(Date.now() + graceSeconds * 1000),
    });
  });
}
