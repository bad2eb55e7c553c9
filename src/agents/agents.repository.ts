import type { Db } from '../db/database.ts';
import { type PageRequest, paginateById } from '../shared/pagination.ts';
import type { AgentRow } from './agents.table.ts';
import type { CallVariables } from './call-variables.ts';

// Every function takes the organization: there is no way to read another tenant's agent.

export async function insertAgent(
  db: Db,
  row: { id: string; organization_id: string; name: string; call_setup_fallback: CallVariables },
): Promise<AgentRow> {
  return db
    .insertInto('agents')
    .values({ ...row, call_setup_fallback: JSON.stringify(row.call_setup_fallback) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAgent(
  db: Db,
  organizationId: string,
  id: string,
): Promise<AgentRow | undefined> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAgentsByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<AgentRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('agents')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .execute();
}

export async function listAgents(
  db: Db,
  organizationId: string,
  page: PageRequest,
): Promise<AgentRow[]> {
  const query = db.selectFrom('agents').selectAll().where('organization_id', '=', organizationId);
  return paginateById(query, 'id', page).execute();
}

export async function updateAgentRow(
  db: Db,
  organizationId: string,
  id: string,
  changes: { name?: string; callSetupFallback?: CallVariables },
): Promise<AgentRow | undefined> {
  return db
    .updateTable('agents')
    .set({
      name: changes.name,
      call_setup_fallback: changes.callSetupFallback && JSON.stringify(changes.callSetupFallback),
      updated_at: new Date(),
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteAgentRow(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('agents')
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
