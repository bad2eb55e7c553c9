import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DeliveryAttemptRow, DeliveryRow, DeliveryStatus } from './deliveries.table.ts';

/** The deliveryAttempts subscription's filter. */
export interface AttemptFeedFilter {
  webhookId?: string | null;
  agentId?: string | null;
  eventType?: string | null;
}

/** The deliveryUpdated subscription's filter. */
export interface DeliveryFeedFilter {
  webhookId?: string | null;
  status?: DeliveryStatus | null;
}

interface After<F> {
  organizationId: string;
  filter: F;
  /** An attempt id: those after it (ids sort in the order attempts are recorded). */
  after: string;
  limit: number;
}

function attemptsAfterQuery(db: Db, { organizationId, filter, after }: After<AttemptFeedFilter>) {
  let query = db
    .selectFrom('delivery_attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .where('a.organization_id', '=', organizationId)
    .where('a.id', '>', after);
  if (filter.webhookId) query = query.where('a.webhook_id', '=', filter.webhookId);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  if (filter.eventType) query = query.where('e.type', '=', filter.eventType);
  return query;
}

/** The organization's attempts after an id that match the filter, oldest first. */
export async function findAttemptsAfter(
  db: Db,
  request: After<AttemptFeedFilter>,
): Promise<DeliveryAttemptRow[]> {
  return attemptsAfterQuery(db, request)
    .selectAll('a')
    .orderBy('a.id')
    .limit(request.limit)
    .execute();
}

export async function countAttemptsAfter(
  db: Db,
  request: After<AttemptFeedFilter>,
): Promise<number> {
  const { count } = await db
    .selectFrom(attemptsAfterQuery(db, request).select('a.id').limit(request.limit).as('t'))
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * Where a delivery's last change stands among all changes: the millisecond it was made, then
 * the random part of the delivery's id (a change id, delivery.ts, is made of the same two).
 */
const changeMs = sql<string>`floor(extract(epoch from d.updated_at) * 1000)::bigint`;
const idRandom = sql<string>`right(d.id, 16)`;

export interface ChangePosition {
  ms: number;
  random: string;
}

type ChangedAfter = Omit<After<DeliveryFeedFilter>, 'after'> & { after: ChangePosition };

function deliveriesChangedAfterQuery(db: Db, { organizationId, filter, after }: ChangedAfter) {
  let query = db
    .selectFrom('deliveries as d')
    .where('d.organization_id', '=', organizationId)
    // The millisecond's rows, then the exact comparison.
    .where('d.updated_at', '>=', new Date(after.ms))
    .where(sql<boolean>`(${changeMs}, ${idRandom}) > (${after.ms}::bigint, ${after.random})`);
  if (filter.webhookId) query = query.where('d.webhook_id', '=', filter.webhookId);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  return query;
}

/** The organization's deliveries last changed after a position, as they are now, in change order. */
export async function findDeliveriesChangedAfter(
  db: Db,
  request: ChangedAfter,
): Promise<DeliveryRow[]> {
  return deliveriesChangedAfterQuery(db, request)
    .selectAll('d')
    .orderBy(changeMs)
    .orderBy(idRandom)
    .limit(request.limit)
    .execute();
}

export async function countDeliveriesChangedAfter(db: Db, request: ChangedAfter): Promise<number> {
  const { count } = await db
    .selectFrom(
      deliveriesChangedAfterQuery(db, request).select('d.id').limit(request.limit).as('t'),
    )
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function attemptBelongsTo(
  db: Db,
  organizationId: string,
  id: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('delivery_attempts')
    .select('id')
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return row !== undefined;
}
