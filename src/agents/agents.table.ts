import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CallVariables } from './call-variables.ts';

export interface AgentsTable {
  id: string;
  organization_id: string;
  name: string;
  /** What a call setup answers when the responder does not: variable name to scalar. */
  call_setup_fallback: ColumnType<CallVariables, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AgentRow = Selectable<AgentsTable>;
