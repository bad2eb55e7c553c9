import type { Insertable } from 'kysely';
import type { CallVariables } from '../agents/call-variables.ts';
import type { Db } from '../db/database.ts';
import type { WebhookRow } from '../webhooks/webhooks.table.ts';
import type { CallSetupRow, CallSetupsTable } from './call-setups.table.ts';

/**
 * The agent's fallback and its call-setup responder's webhook (null when it has none), or
 * undefined when the agent is not this organization's.
 */
export async function findAgentResponder(
  db: Db,
  organizationId: string,
  agentId: string,
): Promise<{ fallback: CallVariables; webhook: WebhookRow | null } | undefined> {
  const row = await db
    .selectFrom('agents as a')
    .leftJoin('webhook_subscriptions as s', (join) =>
      join.onRef('s.agent_id', '=', 'a.id').on('s.responds_to_call_setup', '=', true),
    )
    .leftJoin('webhooks as w', (join) =>
      join.onRef('w.id', '=', 's.webhook_id').on('w.deleted_at', 'is', null),
    )
    .selectAll('w')
    .select('a.call_setup_fallback as fallback')
    .where('a.organization_id', '=', organizationId)
    .where('a.id', '=', agentId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { fallback, ...webhook } = row;
  return { fallback, webhook: webhook.id === null ? null : (webhook as WebhookRow) };
}

/**
 * Stores the answers call setups gave. The first answer stored for an event stays: a repeat that
 * found its first setup interrupted may have answered for it. Returns the events stored now.
 */
export async function storeCallSetupAnswers(
  db: Db,
  rows: readonly Insertable<CallSetupsTable>[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const stored = await db
    .insertInto('call_setups')
    .values([...rows])
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .execute();
  return new Set(stored.map((row) => row.event_id));
}

export async function findCallSetup(
  db: Db,
  organizationId: string,
  eventId: string,
): Promise<CallSetupRow | undefined> {
  return db
    .selectFrom('call_setups')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}
