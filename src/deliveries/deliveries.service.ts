import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { EventRow } from '../events/events.table.ts';
import { enqueueDeliveryJobs } from '../queue/queue.ts';
import type { DeliveryInfrastructure } from '../services.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { requireWebhook } from '../webhooks/webhooks.service.ts';
import {
  type DeliveryFilter,
  findDelivery,
  findFailedDeliveryIdsSince,
  insertDeliveries,
  listAttemptRows,
  listDeliveryRows,
  restartDeliveryRows,
} from './deliveries.repository.ts';
import type { DeliveryAttemptRow, DeliveryRow, DeliveryStatus } from './deliveries.table.ts';

export interface Delivery {
  id: string;
  organizationId: string;
  eventId: string;
  webhookId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryAttempt {
  id: string;
  organizationId: string;
  deliveryId: string;
  webhookId: string;
  attemptNumber: number;
  startedAt: Date;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseBody: string | null;
  errorKind: string | null;
  error: string | null;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    organizationId: row.organization_id,
    eventId: row.event_id,
    webhookId: row.webhook_id,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDeliveryAttempt(row: DeliveryAttemptRow): DeliveryAttempt {
  return {
    id: row.id,
    organizationId: row.organization_id,
    deliveryId: row.delivery_id,
    webhookId: row.webhook_id,
    attemptNumber: row.attempt_number,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    requestHeaders: row.request_headers,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    errorKind: row.error_kind,
    error: row.error,
  };
}

/**
 * Creates the deliveries of a stored event, queues their jobs and tells the workers, all on the
 * caller's transaction: either the event, its deliveries and their jobs all exist, or none do.
 */
export async function createDeliveries(
  trx: Db,
  services: DeliveryInfrastructure,
  event: EventRow,
  webhookIds: readonly string[],
): Promise<Delivery[]> {
  const rows = await insertDeliveries(
    trx,
    webhookIds.map((webhookId) => ({
      id: newId('Delivery'),
      organization_id: event.organization_id,
      event_id: event.id,
      webhook_id: webhookId,
    })),
  );
  await queueNewDeliveries(trx, services, rows.map(toDelivery));
  return rows.map(toDelivery);
}

/**
 * Queues the jobs of deliveries just made PENDING and announces them (the workers wake, live
 * feeds show PENDING), on the caller's transaction.
 */
export async function queueNewDeliveries(
  trx: Db,
  services: DeliveryInfrastructure,
  deliveries: readonly Pick<Delivery, 'id' | 'organizationId' | 'webhookId'>[],
): Promise<void> {
  if (deliveries.length === 0) return;
  await enqueueDeliveryJobs(
    services.queue,
    trx,
    deliveries.map((d) => ({ deliveryId: d.id, organizationId: d.organizationId })),
  );
  await services.notifier.publish(trx, {
    wake: true,
    deliveries: deliveries.map((d) => ({
      organizationId: d.organizationId,
      deliveryId: d.id,
      webhookId: d.webhookId,
      status: 'PENDING',
    })),
  });
}

export async function getDelivery(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Delivery | undefined> {
  const row = await findDelivery(db, organizationId, id);
  return row && toDelivery(row);
}

export async function listDeliveries(
  db: Db,
  organizationId: string,
  filter: DeliveryFilter,
  page: PageRequest,
): Promise<Delivery[]> {
  return (await listDeliveryRows(db, organizationId, filter, page)).map(toDelivery);
}

export async function listAttempts(
  db: Db,
  organizationId: string,
  deliveryId: string,
): Promise<DeliveryAttempt[]> {
  return (await listAttemptRows(db, organizationId, deliveryId)).map(toDeliveryAttempt);
}

/**
 * Starts a new series of attempts with a fresh schedule. The message keeps its webhook-id, so a
 * receiver that already processed it can recognise the duplicate.
 */
export async function redeliver(
  db: Kysely<Database>,
  services: DeliveryInfrastructure,
  organizationId: string,
  deliveryId: string,
): Promise<Delivery> {
  return db.transaction().execute(async (trx) => {
    const current = await findDelivery(trx, organizationId, deliveryId);
    if (!current) throw new NotFoundError('Delivery', deliveryId);
    if (current.status === 'PENDING') {
      throw new ConflictError(
        `Delivery ${deliveryId} is still pending: it will be attempted again by itself`,
      );
    }
    const webhook = await requireWebhook(trx, organizationId, current.webhook_id);
    if (!webhook.enabled)
      throw new ConflictError(`Webhook ${webhook.id} is disabled: enable it first`);
    const [row] = await restartDeliveryRows(trx, organizationId, [deliveryId]);
    if (!row) throw new ConflictError(`Delivery ${deliveryId} changed meanwhile; try again`);
    await queueNewDeliveries(trx, services, [toDelivery(row)]);
    return toDelivery(row);
  });
}

export async function replayFailedDeliveries(
  db: Kysely<Database>,
  services: DeliveryInfrastructure,
  organizationId: string,
  webhookId: string,
  since: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const webhook = await requireWebhook(trx, organizationId, webhookId);
    if (!webhook.enabled)
      throw new ConflictError(`Webhook ${webhook.id} is disabled: enable it first`);
    const ids = await findFailedDeliveryIdsSince(trx, organizationId, webhookId, since);
    const rows = await restartDeliveryRows(trx, organizationId, ids);
    await queueNewDeliveries(trx, services, rows.map(toDelivery));
    return rows.length;
  });
}
