import type { AgentRow } from './agents.table.ts';
import type { CallVariables } from './call-variables.ts';

export interface Agent {
  id: string;
  organizationId: string;
  name: string;
  /** What a call setup answers when the responder does not (src/call-setup). */
  callSetupFallback: CallVariables;
  createdAt: Date;
  updatedAt: Date;
}

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    callSetupFallback: row.call_setup_fallback,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
