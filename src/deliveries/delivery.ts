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
