import { decodeTime, encodeTime } from 'ulidx';
import type { DeliveryKind, DeliveryRow, DeliveryStatus } from './deliveries.table.ts';

export interface Delivery {
  id: string;
  organizationId: string;
  eventId: string;
  webhookId: string;
  status: DeliveryStatus;
  kind: DeliveryKind;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * Set on deliveryUpdated's live items whose row had changed again by the time it was read:
   * their position in that feed is then that of their notice (live-feed.ts), not of the row.
   */
  changeId?: string;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    organizationId: row.organization_id,
    eventId: row.event_id,
    webhookId: row.webhook_id,
    status: row.status,
    kind: row.kind,
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const CHANGE_ID = /^chg_([0-9A-HJKMNP-TV-Z]{10})([0-9A-HJKMNP-TV-Z]{16})$/;

/**
 * A delivery's last change as a position in the deliveryUpdated feed: `chg_`, the millisecond of
 * the change (as in a ULID), then the random part of the delivery's id. Change ids sort in the
 * order changes were made; the feed replays what came after one (pubsub/live-feed.ts).
 */
export function changeIdOf(delivery: Pick<Delivery, 'id' | 'updatedAt' | 'changeId'>): string {
  return delivery.changeId ?? rowChangeIdOf(delivery);
}

/** The change id of the row as read: its last change. */
export function rowChangeIdOf(delivery: Pick<Delivery, 'id' | 'updatedAt'>): string {
  return changePosition(delivery.updatedAt.getTime(), delivery.id.slice(-16));
}

export function changePosition(ms: number, random: string): string {
  return `chg_${encodeTime(ms, 10)}${random}`;
}

/** The two parts of a change id, or undefined when it is not one. */
export function parseChangeId(id: string): { ms: number; random: string } | undefined {
  const match = CHANGE_ID.exec(id);
  if (!match) return undefined;
  try {
    return { ms: decodeTime(`${match[1]}${match[2]}`), random: match[2]! };
  } catch {
    return undefined;
  }
}
