import type { Db } from '../db/database.ts';
import { type PageRequest, paginateById } from '../shared/pagination.ts';
import {
  type DeliveryAttemptRow,
  type DeliveryRow,
  type DeliveryStatus,
  UNFINISHED_STATUSES,
} from './deliveries.table.ts';

export async function findDelivery(
  db: Db,
  organizationId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface DeliveryFilter {
  webhookId?: string | null;
  eventId?: string | null;
  status?: DeliveryStatus | null;
}

export async function listDeliveryRows(
  db: Db,
  organizationId: string,
  filter: DeliveryFilter,
  page: PageRequest,
): Promise<DeliveryRow[]> {
  let query = db.selectFrom('deliveries').selectAll().where('organization_id', '=', organizationId);
  if (filter.webhookId) query = query.where('webhook_id', '=', filter.webhookId);
  if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
  if (filter.status) query = query.where('status', '=', filter.status);
  return paginateById(query, 'id', page).execute();
}

export async function listAttemptRows(
  db: Db,
  organizationId: string,
  deliveryId: string,
): Promise<DeliveryAttemptRow[]> {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt_number')
    .execute();
}

export async function findAttempt(
  db: Db,
  organizationId: string,
  id: string,
): Promise<DeliveryAttemptRow | undefined> {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findOrganizationDeliveries(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...ids])
    .execute();
}

/** The deliveries of these events, or the attempts of these deliveries: one query a page. */
export async function listDeliveriesOfEvents(
  db: Db,
  organizationId: string,
  eventIds: readonly string[],
): Promise<DeliveryRow[]> {
  if (eventIds.length === 0) return [];
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('event_id', 'in', [...eventIds])
    .orderBy('id')
    .execute();
}

export async function listAttemptsOfDeliveries(
  db: Db,
  organizationId: string,
  deliveryIds: readonly string[],
): Promise<DeliveryAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('delivery_id', 'in', [...deliveryIds])
    .orderBy('delivery_id')
    .orderBy('attempt_number')
    .execute();
}

/** Rows by id, whatever their organization: the caller checks it (live feeds load in bulk). */
export async function findDeliveriesByIds(db: Db, ids: readonly string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('deliveries').selectAll().where('id', 'in', ids).execute();
}

export async function findAttemptsByIds(
  db: Db,
  ids: readonly string[],
): Promise<DeliveryAttemptRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('delivery_attempts').selectAll().where('id', 'in', ids).execute();
}

/**
 * Puts a finished delivery back to PENDING for a new series of attempts, due now, waiting for
 * admission (deliveries/fan-out).
 */
export async function restartDeliveryRows(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db
    .updateTable('deliveries')
    .set({
      status: 'PENDING',
      queue_state: 'waiting',
      series_attempt_count: 0,
      next_attempt_at: new Date(),
      updated_at: new Date(),
    })
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .where('status', 'not in', UNFINISHED_STATUSES)
    .returningAll()
    .execute();
}

export async function findFailedDeliveryIdsSince(
  db: Db,
  organizationId: string,
  webhookId: string,
  since: Date,
): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'FAILED')
    // A call setup is over with its call: never sent again.
    .where('kind', '=', 'notification')
    .where('created_at', '>=', since)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Cancels what a webhook still owes: used when it is disabled or deleted. Workers check the
 * delivery's status before sending, so their queued jobs end without contacting anyone.
 */
export async function cancelPendingDeliveriesOfWebhook(
  db: Db,
  organizationId: string,
  webhookId: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('deliveries')
    .set({ status: 'CANCELLED', next_attempt_at: null, updated_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('webhook_id', '=', webhookId)
    .where('status', 'in', UNFINISHED_STATUSES)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
