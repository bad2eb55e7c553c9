import { sql } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { SendOutcome } from '../../../delivery-client/index.ts';
import { newId } from '../../../shared/ids.ts';
import { CLOSED_CIRCUIT } from '../../../webhooks/webhooks.repository.ts';
import type { DeliveryAttempt } from '../../delivery-attempt.ts';
import type { RecentAttempts } from '../../recent-attempts.ts';
import { type Attempted, type AttemptResult, attemptErrorKind } from '../settlement.ts';

// PostgreSQL text holds neither NUL nor lone surrogates; a receiver may send anything.
const clean = (text: string | null): string | null =>
  text === null ? null : text.toWellFormed().replaceAll('\u0000', '\uFFFD');

function describeError(outcome: SendOutcome): string | null {
  if (outcome.error) return clean(`${outcome.error.kind}: ${outcome.error.message}`);
  if (!outcome.ok && outcome.status !== null) return `HTTP ${outcome.status}`;
  return null;
}

/** Which delivery an attempt belongs to, and its number in the delivery's whole history. */
export interface AttemptTarget {
  organizationId: string;
  deliveryId: string;
  webhookId: string;
  attemptNumber: number;
}

/**
 * The attempt log's record of one request. `refused`: why a 2xx answer was not usable anyway
 * (a call setup's answer that breaks its schema), logged as the attempt's error.
 */
export function attemptRecord(
  target: AttemptTarget,
  result: AttemptResult,
  refused?: { kind: string; message: string },
): DeliveryAttempt {
  const { outcome } = result;
  return {
    id: newId('DeliveryAttempt'),
    ...target,
    startedAt: result.startedAt,
    durationMs: Math.round(outcome.durationMs),
    requestHeaders: result.requestHeaders,
    responseStatus: outcome.status,
    responseBody: clean(outcome.responseBody),
    errorKind: refused?.kind ?? attemptErrorKind(outcome),
    error: refused ? clean(`${refused.kind}: ${refused.message}`) : describeError(outcome),
  };
}

export function toAttemptRecord(s: Attempted): DeliveryAttempt {
  return attemptRecord(
    {
      organizationId: s.context.delivery.organizationId,
      deliveryId: s.context.delivery.id,
      webhookId: s.context.webhook.id,
      attemptNumber: s.context.delivery.attemptCount + 1,
    },
    s.result,
  );
}

export interface InsertedAttempts {
  /** Ids of the attempts logged: all of them but those whose delivery is gone (purgeCall). */
  inserted: Set<string>;
  /** Endpoints whose circuit this closed. */
  closed: string[];
}

/**
 * Logs the attempts and, in the same statement (one round trip fewer per batch), resets the
 * health of the endpoints that answered: their failure streak, their consecutive failures, and
 * their circuit (a success closes it). An attempt whose delivery was deleted while it was in
 * flight (its call was erased) is not logged: its delivery is locked first (in id order, as
 * purgeCall locks them), and a deleted one is left out.
 */
export async function insertAttemptsAndResetHealthy(
  trx: Db,
  attempts: readonly DeliveryAttempt[],
  healthyWebhookIds: readonly string[],
  recentAttempts: RecentAttempts | undefined,
): Promise<InsertedAttempts> {
  if (attempts.length === 0) return { inserted: new Set(), closed: [] };
  const rows = JSON.stringify(
    attempts.map((a) => ({
      id: a.id,
      organization_id: a.organizationId,
      delivery_id: a.deliveryId,
      webhook_id: a.webhookId,
      attempt_number: a.attemptNumber,
      started_at: a.startedAt,
      duration_ms: a.durationMs,
      request_headers: a.requestHeaders,
      response_status: a.responseStatus,
      response_body: a.responseBody,
      error_kind: a.errorKind,
      error: a.error,
    })),
  );
  const deliveryIds = [...new Set(attempts.map((a) => a.deliveryId))];
  const closedCircuit = sql.join(
    Object.entries(CLOSED_CIRCUIT).map(([column, value]) => sql`${sql.ref(column)} = ${value}`),
  );
  const { rows: result } = await sql<{ closed: string[]; inserted: string[] }>`
    /* insertAttemptsAndResetHealthy */
    with previous as (
      select id, circuit_state from webhooks
      where id = any(${[...healthyWebhookIds]}::text[])
        and (failing_since is not null or circuit_failures > 0 or circuit_state <> 'CLOSED')
      order by id
      for no key update
    ), reset as (
      update webhooks w
      set failing_since = null, ${closedCircuit}
      from previous p
      where w.id = p.id
      returning w.id, p.circuit_state as was
    ), alive as (
      select id from deliveries where id = any(${deliveryIds}::text[]) order by id for key share
    ), inserted as (
      insert into delivery_attempts (id, organization_id, delivery_id, webhook_id, attempt_number,
        started_at, duration_ms, request_headers, response_status, response_body, error_kind, error)
      select r.id, r.organization_id, r.delivery_id, r.webhook_id, r.attempt_number, r.started_at,
        r.duration_ms, r.request_headers, r.response_status, r.response_body, r.error_kind, r.error
      from jsonb_to_recordset(${rows}::jsonb) as r(id text, organization_id text,
        delivery_id text, webhook_id text, attempt_number int, started_at timestamptz,
        duration_ms int, request_headers jsonb, response_status int, response_body text,
        error_kind text, error text)
      where r.delivery_id in (select id from alive)
      returning id
    )
    select
      (select coalesce(array_agg(id), '{}') from reset where was <> 'CLOSED') as closed,
      (select coalesce(array_agg(id), '{}') from inserted) as inserted`.execute(trx);
  const inserted = new Set(result[0]?.inserted ?? []);
  recentAttempts?.remember(attempts.filter((a) => inserted.has(a.id)));
  return { inserted, closed: result[0]?.closed ?? [] };
}
