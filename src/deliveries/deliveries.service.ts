import type { Kysely } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { DeliveryInfrastructure } from '../services.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { requireWebhook } from '../webhooks/webhooks.service.ts';
import type { DeliveryFilter } from './deliveries.repository.ts';
import * as deliveriesRepository from './deliveries.repository.ts';
import { type Delivery, toDelivery } from './delivery.ts';
import { type DeliveryAttempt, toDeliveryAttempt } from './delivery-attempt.ts';

export async function getDelivery(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Delivery | undefined> {
  const row = await deliveriesRepository.findDelivery(db, organizationId, id);
  return row && toDelivery(row);
}

export async function listDeliveries(
  db: Db,
  organizationId: string,
  filter: DeliveryFilter,
  page: PageRequest,
): Promise<Delivery[]> {
  return (await deliveriesRepository.listDeliveryRows(db, organizationId, filter, page)).map(
    toDelivery,
  );
}

export async function redeliver(
  db: Kysely<Database>,
  services: DeliveryInfrastructure,
  organizationId: string,
  deliveryId: string,
): Promise<Delivery> {
  return db.transaction().execute(async (trx) => {
    const current = await deliveriesRepository.findDelivery(trx, organizationId, deliveryId);
    if (!current) throw new NotFoundError('Delivery', deliveryId);
    if (current.kind === 'call_setup') {
      throw new ConflictError(
        `Delivery ${deliveryId} was a call setup: its call has started, so it is not sent again`,
      );
    }
    if (current.status === 'PENDING' || current.status === 'HELD') {
      throw new ConflictError(
        `Delivery ${deliveryId} is still pending: it will be attempted again by itself`,
      );
    }
    const webhook = await requireWebhook(trx, organizationId, current.webhook_id);
    if (!webhook.enabled)
      throw new ConflictError(`Webhook ${webhook.id} is disabled: enable it first`);
    const [row] = await deliveriesRepository.restartDeliveryRows(trx, organizationId, [deliveryId]);
    if (!row) throw new ConflictError(`Delivery ${deliveryId} changed meanwhile; try again`);
    await services.fanOut.queueNew(trx, [toDelivery(row)]);
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
    const ids = await deliveriesRepository.findFailedDeliveryIdsSince(
      trx,
      organizationId,
      webhookId,
      since,
    );
    const rows = await deliveriesRepository.restartDeliveryRows(trx, organizationId, ids);
    await services.fanOut.queueNew(trx, rows.map(toDelivery));
    return rows.length;
  });
}

/** The deliveries of these ids, in the same order; null where one is unknown or another tenant's. */
export async function getDeliveriesByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<(Delivery | null)[]> {
  const rows = await deliveriesRepository.findOrganizationDeliveries(db, organizationId, ids);
  const byId = new Map(rows.map((row) => [row.id, toDelivery(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

export async function listDeliveriesOfEvents(
  db: Db,
  organizationId: string,
  eventIds: readonly string[],
): Promise<Delivery[]> {
  return (await deliveriesRepository.listDeliveriesOfEvents(db, organizationId, eventIds)).map(
    toDelivery,
  );
}

export async function listAttemptsOfDeliveries(
  db: Db,
  organizationId: string,
  deliveryIds: readonly string[],
): Promise<DeliveryAttempt[]> {
  return (await deliveriesRepository.listAttemptsOfDeliveries(db, organizationId, deliveryIds)).map(
    toDeliveryAttempt,
  );
}
