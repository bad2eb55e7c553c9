import type { DeliveryAttemptRow } from './deliveries.table.ts';

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
