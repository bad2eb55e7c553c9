import type { ColumnType, Generated, Selectable } from 'kysely';

/** HELD: not finished, waiting for its endpoint's circuit to close. */
export type DeliveryStatus = 'PENDING' | 'HELD' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/**
 * Where a PENDING delivery stands with the queue: waiting for room at its endpoint (no job yet),
 * admitted (a job for an attempt due now), or retrying (a job for a later retry).
 */
export type QueueState = 'waiting' | 'admitted' | 'retrying';

/**
 * A notification goes through the queue and is retried for hours; a call setup is attempted
 * inline by the API within a deadline (src/call-setup) and is stored once it is over.
 */
export type DeliveryKind = 'notification' | 'call_setup';

/** Statuses of deliveries that are not finished: they keep their event, and count as owed. */
export const UNFINISHED_STATUSES = ['PENDING', 'HELD'] as const satisfies readonly DeliveryStatus[];

export interface DeliveriesTable {
  id: string;
  organization_id: string;
  event_id: string;
  webhook_id: string;
  status: DeliveryStatus;
  kind: Generated<DeliveryKind>;
  /** Its event's call (denormalized for admission's ordering per call); null for test events. */
  call_id: string | null;
  attempt_count: Generated<number>;
  series_attempt_count: Generated<number>;
  queue_state: Generated<QueueState>;
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
