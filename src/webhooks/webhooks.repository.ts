import type { Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import { type PageRequest, paginateById } from '../shared/pagination.ts';
import type { WebhookKind, WebhookRow, WebhooksTable } from './webhooks.table.ts';

// Deleted webhooks are invisible here: they only live on in the delivery log.

export async function insertWebhook(
  db: Db,
  row: {
    id: string;
    organization_id: string;
    url: string;
    kind?: WebhookKind;
    description: string;
    signing_secret: string;
    headers: string | null;
    operational: boolean;
    max_concurrency: number | null;
    rate_limit_per_second: number | null;
    timeout_ms: number | null;
    send_trace_context?: boolean;
    order_by_call: boolean;
  },
): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(row).returningAll().executeTakeFirstOrThrow();
}

function webhookById(db: Db, organizationId: string, id: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id);
}

export async function findWebhook(
  db: Db,
  organizationId: string,
  id: string,
): Promise<WebhookRow | undefined> {
  return webhookById(db, organizationId, id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** Webhooks of these ids; `includeDeleted` for the delivery log, which must still name them. */
export async function findWebhooksByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
  options: { includeDeleted: boolean },
): Promise<WebhookRow[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...ids]);
  if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
  return query.execute();
}

/** Includes deleted webhooks: for the delivery log, which must still name them. */
export async function findWebhookIncludingDeleted(
  db: Db,
  organizationId: string,
  id: string,
): Promise<WebhookRow | undefined> {
  return webhookById(db, organizationId, id).executeTakeFirst();
}

export async function listWebhookRows(
  db: Db,
  organizationId: string,
  filter: { enabled?: boolean | null },
  page: PageRequest,
): Promise<WebhookRow[]> {
  let query = db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    // The operational endpoint is the organization's channel for operational events, read
    // through `operationalWebhook`, not one of its endpoints.
    .where('operational', '=', false);
  if (filter.enabled !== undefined && filter.enabled !== null) {
    query = query.where('enabled', '=', filter.enabled);
  }
  return paginateById(query, 'id', page).execute();
}

export async function updateWebhookRow(
  db: Db,
  organizationId: string,
  id: string,
  changes: Updateable<WebhooksTable>,
): Promise<WebhookRow | undefined> {
  return db
    .updateTable('webhooks')
    .set({ ...changes, updated_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** The organization's operational endpoint, if it has one (deleted ones excluded). */
export async function findOperationalWebhook(
  db: Db,
  organizationId: string,
): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('operational', '=', true)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** A circuit as a fresh endpoint has it. */
export const CLOSED_CIRCUIT = {
  circuit_state: 'CLOSED',
  circuit_failures: 0,
  circuit_opened_at: null,
  circuit_next_probe_at: null,
  circuit_failed_probes: 0,
  circuit_probe_delivery_id: null,
} as const satisfies Updateable<WebhooksTable>;

export async function forgetRateSlots(db: Db, webhookId: string): Promise<void> {
  await db.deleteFrom('endpoint_rate_slots').where('webhook_id', '=', webhookId).execute();
}

/** The organization's LISTENER webhook with this URL (listeners.service.ts listenerUrl). */
export async function findListenerWebhook(
  db: Db,
  organizationId: string,
  url: string,
): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('kind', '=', 'LISTENER')
    .where('url', '=', url)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .executeTakeFirst();
}
