import type { Db } from '../db/database.ts';
import { NotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inOrderOf } from '../shared/in-order-of.ts';
import type { PageRequest } from '../shared/pagination.ts';
import { type Agent, toAgent } from './agent.ts';
import * as agentsRepository from './agents.repository.ts';
import type { CallVariables } from './call-variables.ts';

export async function createAgent(
  db: Db,
  organizationId: string,
  input: { name: string; callSetupFallback?: CallVariables | null },
): Promise<Agent> {
  const row = await agentsRepository.insertAgent(db, {
    id: newId('Agent'),
    organization_id: organizationId,
    name: input.name,
    call_setup_fallback: input.callSetupFallback ?? {},
  });
  return toAgent(row);
}

export async function getAgent(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Agent | undefined> {
  const row = await agentsRepository.findAgent(db, organizationId, id);
  return row && toAgent(row);
}

/** The agents of these ids, in the same order; null where one is unknown or another tenant's. */
export async function getAgentsByIds(
  db: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<(Agent | null)[]> {
  return inOrderOf(ids, await agentsRepository.findAgentsByIds(db, organizationId, ids), toAgent);
}

/** Like getAgent, for callers that act on the agent: a missing one is the caller's mistake. */
export async function requireAgent(db: Db, organizationId: string, id: string): Promise<Agent> {
  const agent = await getAgent(db, organizationId, id);
  if (!agent) throw new NotFoundError('Agent', id);
  return agent;
}

export async function listAgents(
  db: Db,
  organizationId: string,
  page: PageRequest,
): Promise<Agent[]> {
  return (await agentsRepository.listAgents(db, organizationId, page)).map(toAgent);
}

export async function updateAgent(
  db: Db,
  organizationId: string,
  id: string,
  changes: { name?: string; callSetupFallback?: CallVariables | null },
): Promise<Agent> {
  const row = await agentsRepository.updateAgentRow(db, organizationId, id, {
    name: changes.name,
    // null: back to the default, no variables.
    callSetupFallback: changes.callSetupFallback === null ? {} : changes.callSetupFallback,
  });
  if (!row) throw new NotFoundError('Agent', id);
  return toAgent(row);
}

/** Deleting an agent removes its subscriptions; its past events stay, without an agent. */
export async function deleteAgent(db: Db, organizationId: string, id: string): Promise<void> {
  if (!(await agentsRepository.deleteAgentRow(db, organizationId, id)))
    throw new NotFoundError('Agent', id);
}
