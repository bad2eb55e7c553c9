import type { ColumnType, Generated, Selectable } from 'kysely';

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface DeliveriesTable {
  id: string;
  organization_id: string;
  event_id: string;
  webhook_id: string;
  status: DeliveryStatus;
  attempt_count: Generated<number>;
  series_attempt_count: Generated<number>;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DeliveryAttemptsTable {
  id: string;
  organization_id: string;
  delivery_id: string;
  webhook_id: string;
  attempt_number: number;
  started_at: Date;
  duration_ms: number;
  request_headers: ColumnType<Record<string, string>, string, string>;
  response_status: number | null;
  response_body: string | null;
  error_kind: string | null;
  error: string | null;
  created_at: Generated<Date>;
}

export type DeliveryRow = Selectable<DeliveriesTable>;
export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;
