import { randomBytes } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';

/**
 * Delivery ids are made in SQL, by the statements that create deliveries (only they know the
 * webhooks an event goes to): `dlv_`, the event's time part (so deliveries sort with their
 * event), then 16 random hex digits (hex digits are Crockford base32 digits too).
 */
export function newDeliveryIdSql(eventIdColumn: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`'dlv_' || substr(${eventIdColumn}, 5, 10) || upper(left(replace(gen_random_uuid()::text, '-', ''), 16))`;
}

/** The same, made here: for a call setup's delivery, whose id is its webhook-id before it is stored. */
export function newDeliveryId(eventId: string): string {
  return `dlv_${eventId.slice(4, 14)}${randomBytes(8).toString('hex').toUpperCase()}`;
}
