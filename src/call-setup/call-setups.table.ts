import type { ColumnType, Selectable } from 'kysely';
import type { CallVariables } from './call-variables.ts';

export type CallSetupOutcome = 'ANSWERED' | 'FALLBACK' | 'NO_RESPONDER';
export type CallAction = 'CONTINUE' | 'REJECT';

/**
 * One call setup, keyed by its event. `outcome` is null while it is in flight; then it holds the
 * answer given, which an idempotent repeat gives again.
 */
export interface CallSetupsTable {
  event_id: string;
  organization_id: string;
  /** The responder asked, if there was one. */
  webhook_id: string | null;
  /** Its delivery: stored with its attempts once the setup is over (none if nothing was sent). */
  delivery_id: string | null;
  deadline_ms: number;
  started_at: Date;
  outcome: CallSetupOutcome | null;
  action: CallAction | null;
  variables: ColumnType<CallVariables | null, string | null, string | null>;
  reason: string | null;
  duration_ms: number | null;
}

export type CallSetupRow = Selectable<CallSetupsTable>;
