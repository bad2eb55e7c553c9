import type { Transaction } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { NoticeOutbox } from '../pubsub/transactions.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import { inOrderOf } from '../shared/in-order-of.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { requireWebhook } from '../webhooks/webhooks.service.ts';

import type { DeliveryFilter } from './deliveries.repository.ts';
import * as deliveriesRepository from './deliveries.repository.ts';
import { type Delivery, toDelivery } from './delivery.ts';
import { type DeliveryAttempt, toDeliveryAttempt } from './delivery-attempt.ts';
import type { Queueing } from './fan-out/fan-out.ts';

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
  { transactions, fanOut }: Queueing,
  organizationId: string,
  deliveryId: string,
): Promise<Delivery> {
  return transactions(async (trx, outbox) => {
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
    await fanOut.queueNew(trx, outbox, [toDelivery(row)]);
    return toDelivery(row);
  });
}

export async function replayFailedDeliveries(
  { transactions, fanOut }: Queueing,
  organizationId: string,
  webhookId: string,
  since: Date,
): Promise<number> {
  return transactions(async (trx, outbox) => {
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
    await fanOut.queueNew(trx, outbox, rows.map(toDelivery));
    return rows.length;
  });
}

/** The deliveries of these ids, in the same order; null where one is unknown or another tenant's. */
export async function getDeliveriesByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<(Delivery | null)[]> {
  return inOrderOf(
    ids,
    await deliveriesRepository.findOrganizationDeliveries(db, organizationId, ids),
    toDelivery,
  );
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

/** Cancels a webhook's unfinished deliveries (it was disabled or deleted), and says so. */
export async function cancelDeliveriesOfWebhook(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  organizationId: string,
  webhookId: string,
): Promise<void> {
  const cancelled = await deliveriesRepository.cancelPendingDeliveriesOfWebhook(
    trx,
    organizationId,
    webhookId,
  );
  outbox.notify({
    deliveries: cancelled.map((deliveryId) => ({
      organizationId,
      deliveryId,
      webhookId,
      status: 'CANCELLED',
    })),
  });
}
