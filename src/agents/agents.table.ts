import type { Generated, Selectable } from 'kysely';

export interface AgentsTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AgentRow = Selectable<AgentsTable>;
