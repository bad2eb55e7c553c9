import type { ColumnType, Generated, Selectable } from 'kysely';

/** A `hookline listen` connected to some API process, refreshed while it lasts. */
export interface ListenerSessionsTable {
  id: string;
  organization_id: string;
  webhook_id: string;
  seen_at: Generated<Date>;
}

/** One attempt's request to a listener, and its answer (listener-relay.ts). */
export interface ListenerExchangesTable {
  id: string;
  organization_id: string;
  webhook_id: string;
  delivery_id: string;
  request_headers: ColumnType<Record<string, string>, string, string>;
  body: string;
  created_at: Generated<Date>;
  expires_at: Date;
  claimed_at: Date | null;
  answered_at: Date | null;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
}

export type ListenerExchangeRow = Selectable<ListenerExchangesTable>;
