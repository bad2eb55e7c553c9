import type { ColumnType, Generated, Selectable } from 'kysely';

export interface EventsTable {
  id: string;
  organization_id: string;
  agent_id: string | null;
  type: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  idempotency_key: string | null;
  /**
   * The W3C traceparent of the emit's `event ingest` span, when it was traced and sampled:
   * each delivery attempt links to it (events/ingest-spans.ts).
   */
  traceparent: string | null;
  /** The payload's callId; null for test events. */
  call_id: string | null;
  created_at: Generated<Date>;
}

export type EventRow = Selectable<EventsTable>;
