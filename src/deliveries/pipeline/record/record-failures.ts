import { sql } from 'kysely';
import type { CircuitSettings } from '../../../config/config.ts';
import type { Db } from '../../../db/database.ts';
import { type EndpointCircuit, toWebhook, type Webhook } from '../../../webhooks/webhook.ts';
import { cancelPendingDeliveriesOfWebhook } from '../../deliveries.repository.ts';
import { disabledReason, shouldDisable } from '../../policies/auto-disable.ts';
import { afterAttempts, type CircuitTransition } from '../../policies/circuit-breaker.ts';
import type { Attempted } from '../settlement.ts';

export interface FailureEffects {
  /** Endpoints whose circuit opened (from closed): their waiting deliveries are to be held. */
  opened: string[];
  /** Endpoints whose circuit moved at all, with the transition and the circuit after it. */
  transitions: {
    webhookId: string;
    organizationId: string;
    transition: CircuitTransition;
    circuit: EndpointCircuit;
  }[];
  /** Deliveries cancelled because their endpoint was disabled. */
  cancelled: { organizationId: string; webhookId: string; deliveryId: string }[];
  /** Endpoints disabled automatically, as they were, with why and since when they failed. */
  disabled: { webhook: Webhook; reason: string; failingSince: Date }[];
}

/** What counting a failed attempt needs: a worker's attempt, or a call setup's try. */
export type FailedAttempt = { result: Pick<Attempted['result'], 'probe' | 'startedAt'> };

export interface RecordFailuresOptions {
  circuit: CircuitSettings;
  disableAfterSeconds: number;
}

/**
 * The endpoints that only failed within this batch (one success resets an endpoint, in
 * insert-attempts.ts): counts the failures toward their circuit (policies/circuit-breaker.ts)
 * and their failure streak, and disables an endpoint whose streak outlasts the window
 * (policies/auto-disable.ts), cancelling what it still owes. Rows are locked already.
 */
export async function recordFailures(
  trx: Db,
  failing: ReadonlyMap<string, readonly FailedAttempt[]>,
  now: Date,
  options: RecordFailuresOptions,
): Promise<FailureEffects> {
  const effects: FailureEffects = { opened: [], transitions: [], cancelled: [], disabled: [] };
  if (failing.size === 0) return effects;
  const ids = [...failing.keys()].sort();
  const rows = await trx.selectFrom('webhooks').selectAll().where('id', 'in', ids).execute();
  const updates = [];
  for (const row of rows.sort((a, b) => a.id.localeCompare(b.id))) {
    if (!row.enabled) continue;
    const webhook = toWebhook(row);
    const attempts = failing.get(webhook.id) ?? [];
    const change = afterAttempts(
      webhook.circuit,
      attempts.map((s) => ({ ok: false, probe: s.result.probe })),
      now,
      options.circuit,
    );
    const failingSince = webhook.failingSince ?? attempts[0]!.result.startedAt;
    updates.push({ id: webhook.id, circuit: change.circuit, failingSince });
    if (change.transition) {
      effects.transitions.push({
        webhookId: webhook.id,
        organizationId: webhook.organizationId,
        transition: change.transition,
        circuit: change.circuit,
      });
      if (change.transition === 'opened') effects.opened.push(webhook.id);
    }
    if (shouldDisable(failingSince, now, options.disableAfterSeconds)) {
      const reason = disabledReason(failingSince, now);
      await trx
        .updateTable('webhooks')
        .set({ enabled: false, disabled_reason: reason, updated_at: now })
        .where('id', '=', webhook.id)
        .execute();
      effects.disabled.push({ webhook, reason, failingSince });
      for (const deliveryId of await cancelPendingDeliveriesOfWebhook(
        trx,
        webhook.organizationId,
        webhook.id,
      )) {
        effects.cancelled.push({
          organizationId: webhook.organizationId,
          webhookId: webhook.id,
          deliveryId,
        });
      }
    }
  }
  if (updates.length > 0) {
    const values = sql.join(
      updates.map(
        (u) => sql`(${u.id}::text, ${u.failingSince}::timestamptz, ${u.circuit.state}::text,
          ${u.circuit.consecutiveFailures}::int, ${u.circuit.openedAt}::timestamptz,
          ${u.circuit.nextProbeAt}::timestamptz, ${u.circuit.failedProbes}::int,
          ${u.circuit.probeDeliveryId}::text)`,
      ),
    );
    await sql`
      /* recordFailures */
      update webhooks as w
      set failing_since = v.failing_since, circuit_state = v.state, circuit_failures = v.failures,
        circuit_opened_at = v.opened_at, circuit_next_probe_at = v.next_probe_at,
        circuit_failed_probes = v.failed_probes, circuit_probe_delivery_id = v.probe_delivery_id
      from (values ${values}) as v(id, failing_since, state, failures, opened_at, next_probe_at,
        failed_probes, probe_delivery_id)
      where w.id = v.id`.execute(trx);
  }
  return effects;
}
