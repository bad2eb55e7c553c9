import { sql } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { SendOutcome } from '../../../delivery-client/index.ts';
import { newId } from '../../../shared/ids.ts';
import { CLOSED_CIRCUIT } from '../../../webhooks/webhooks.repository.ts';
import type { DeliveryAttempt } from '../../delivery-attempt.ts';
import type { RecentAttempts } from '../../recent-attempts.ts';
import { type Attempted, attemptErrorKind } from '../settlement.ts';

// PostgreSQL text holds neither NUL nor lone surrogates; a receiver may send anything.
const clean = (text: string | null): string | null =>
  text === null ? null : text.toWellFormed().replaceAll('\u0000', '\uFFFD');

function describeError(outcome: SendOutcome): string | null {
  if (outcome.error) return clean(`${outcome.error.kind}: ${outcome.error.message}`);
  if (!outcome.ok && outcome.status !== null) return `HTTP ${outcome.status}`;
  return null;
}

export function toAttemptRecord(s: Attempted): DeliveryAttempt {
  const { outcome } = s.result;
  return {
    id: newId('DeliveryAttempt'),
    organizationId: s.context.delivery.organizationId,
    deliveryId: s.context.delivery.id,
    webhookId: s.context.webhook.id,
    attemptNumber: s.context.delivery.attemptCount + 1,
    startedAt: s.result.startedAt,
    durationMs: Math.round(outcome.durationMs),
    requestHeaders: s.result.requestHeaders,
    responseStatus: outcome.status,
    responseBody: clean(outcome.responseBody),
    errorKind: attemptErrorKind(outcome),
    error: describeError(outcome),
  };
}

/**
 * Logs the attempts and, in the same statement (one round trip fewer per batch), resets the
 * health of the endpoints that answered: their failure streak, their consecutive failures, and
 * their circuit (a success closes it). Returns the endpoints whose circuit this closed.
 */
export async function insertAttemptsAndResetHealthy(
  trx: Db,
  attempts: readonly DeliveryAttempt[],
  healthyWebhookIds: readonly string[],
  recentAttempts: RecentAttempts | undefined,
): Promise<string[]> {
  if (attempts.length === 0) return [];
  const rows = attempts.map((a) => ({
    id: a.id,
    organization_id: a.organizationId,
    delivery_id: a.deliveryId,
    webhook_id: a.webhookId,
    attempt_number: a.attemptNumber,
    started_at: a.startedAt,
    duration_ms: a.durationMs,
    request_headers: JSON.stringify(a.requestHeaders),
    response_status: a.responseStatus,
    response_body: a.responseBody,
    error_kind: a.errorKind,
    error: a.error,
  }));
  const [first] = await trx
    .with('previous', (db) =>
      db
        .selectFrom('webhooks')
        .select(['id', 'circuit_state'])
        .where('id', 'in', healthyWebhookIds.length > 0 ? [...healthyWebhookIds] : [''])
        .where((eb) =>
          eb.or([
            eb('failing_since', 'is not', null),
            eb('circuit_failures', '>', 0),
            eb('circuit_state', '<>', 'CLOSED'),
          ]),
        )
        .orderBy('id')
        .forNoKeyUpdate(),
    )
    .with('reset', (db) =>
      db
        .updateTable('webhooks as w')
        .from('previous as p')
        .set({ failing_since: null, ...CLOSED_CIRCUIT })
        .whereRef('w.id', '=', 'p.id')
        .returning(['w.id', 'p.circuit_state as was']),
    )
    .insertInto('delivery_attempts')
    .values(rows)
    .returning(
      sql<string[]>`(select coalesce(array_agg(id), '{}') from reset where was <> 'CLOSED')`.as(
        'closed',
      ),
    )
    .execute();
  recentAttempts?.remember(attempts);
  return first?.closed ?? [];
}
