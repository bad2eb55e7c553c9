import type { EventTypeName } from '../event-types/event-types.ts';
import type { EventRow } from './events.table.ts';

export interface Event {
  id: string;
  organizationId: string;
  agentId: string | null;
  type: EventTypeName;
  payload: Record<string, unknown>;
  idempotencyKey: string | null;
  createdAt: Date;
}

export function toEvent(row: EventRow): Event {
  return {
    id: row.id,
    organizationId: row.organization_id,
    agentId: row.agent_id,
    type: row.type as EventTypeName,
    payload: row.payload,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
  };
}
