import type { Db } from '../db/database.ts';
import type { WebhookRow } from '../webhooks/webhooks.table.ts';
import type { CallSetupRow, CallSetupsTable } from './call-setups.table.ts';
import type { CallVariables } from './call-variables.ts';

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

type NewCallSetup = Pick<
  CallSetupsTable,
  'event_id' | 'organization_id' | 'webhook_id' | 'delivery_id' | 'deadline_ms' | 'started_at'
>;

/** Marks a call setup in flight, so that a concurrent repeat waits for its answer. */
export async function insertCallSetupInFlight(db: Db, row: NewCallSetup): Promise<void> {
  await db
    .insertInto('call_setups')
    .values({ ...row, variables: null })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}

export interface CallSetupAnswerColumns {
  outcome: NonNullable<CallSetupsTable['outcome']>;
  action: NonNullable<CallSetupsTable['action']>;
  variables: CallVariables;
  reason: string | null;
  duration_ms: number;
}

/** Stores the answer a call setup gave (whether or not it was marked in flight). */
export async function storeCallSetupAnswer(
  db: Db,
  row: NewCallSetup,
  answer: CallSetupAnswerColumns,
): Promise<void> {
  const values = { ...row, ...answer, variables: JSON.stringify(answer.variables) };
  await db
    .insertInto('call_setups')
    .values(values)
    .onConflict((oc) =>
      oc.column('event_id').doUpdateSet({
        outcome: answer.outcome,
        action: answer.action,
        variables: values.variables,
        reason: answer.reason,
        duration_ms: answer.duration_ms,
      }),
    )
    .execute();
}

/**
 * Stores `answer` for a setup that has none yet (its process died before answering); returns
 * false when another answer got there first.
 */
export async function answerUnanswered(
  db: Db,
  row: NewCallSetup,
  answer: CallSetupAnswerColumns,
): Promise<boolean> {
  const values = { ...row, ...answer, variables: JSON.stringify(answer.variables) };
  const result = await db
    .insertInto('call_setups')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('event_id')
        .doUpdateSet({
          outcome: answer.outcome,
          action: answer.action,
          variables: values.variables,
          reason: answer.reason,
          duration_ms: answer.duration_ms,
        })
        .where('call_setups.outcome', 'is', null),
    )
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
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
