import type { ColumnType, Selectable } from 'kysely';
import type { CallVariables } from '../agents/call-variables.ts';

export type CallSetupOutcome = 'ANSWERED' | 'FALLBACK' | 'NO_RESPONDER';
export type CallAction = 'CONTINUE' | 'REJECT';

/**
 * One call setup, keyed by its event, stored once it has answered: the answer an idempotent
 * repeat gives again. The first answer stored stays.
 */
export interface CallSetupsTable {
  event_id: string;
  organization_id: string;
  /** The responder asked, if there was one. */
  webhook_id: string | null;
  /** Its delivery, stored with it, if anything was sent. */
  delivery_id: string | null;
  deadline_ms: number;
  started_at: Date;
  outcome: CallSetupOutcome;
  action: CallAction;
  variables: ColumnType<CallVariables, string, string>;
  reason: string | null;
  duration_ms: number;
}

export type CallSetupRow = Selectable<CallSetupsTable>;
