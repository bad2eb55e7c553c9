import { sql, type Transaction } from 'kysely';
import type { EndpointSettings } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { NoticeOutbox, Transactions } from '../pubsub/transactions.ts';
import { effectiveConcurrency, toWebhook } from '../webhooks/webhook.ts';
import { CLOSED_CIRCUIT } from '../webhooks/webhooks.repository.ts';
import type { FanOut } from './fan-out/fan-out.ts';
import {
  circuitClosed,
  type OperationalEvent,
  raiseOperationalEvents,
} from './operational-events.ts';
import type { CircuitChange } from './pipeline/record/record-settlements.ts';
import { callOrderAllows } from './policies/call-order.ts';
import { halfOpenWatchdogSeconds } from './policies/circuit-breaker.ts';
import { JOB_PRIORITY } from './policies/fair-share.ts';

export interface CircuitProbeOptions {
  transactions: Transactions;
  fanOut: FanOut;
  endpoints: EndpointSettings;
  requestTimeoutMs: number;
}

/**
 * Lets one held delivery through each open circuit whose probe time has come (and each half-open
 * one whose probe was lost), making the circuit HALF_OPEN; a circuit with nothing held closes
 * instead, keeping its failure count, so the next failure opens it again at once. Workers call
 * it every second; rows are claimed with SKIP LOCKED, so workers never probe one endpoint twice.
 * Returns the circuits it closed.
 */
export async function startDueProbes(options: CircuitProbeOptions): Promise<CircuitChange[]> {
  return options.transactions(async (trx, outbox) => {
    const due = await trx
      .selectFrom('webhooks')
      .selectAll()
      .where('circuit_state', '<>', 'CLOSED')
      .where('circuit_next_probe_at', '<=', sql<Date>`now()`)
      .where('enabled', '=', true)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .limit(100)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    const changes: CircuitChange[] = [];
    const closed: OperationalEvent[] = [];
    for (const row of due) {
      const webhook = toWebhook(row);
      if ((await probe(trx, outbox, webhook, options)) === 'closed') {
        changes.push({
          webhookId: webhook.id,
          organizationId: webhook.organizationId,
          transition: 'closed',
        });
        closed.push(circuitClosed(webhook, 'nothing_held', new Date()));
      }
    }
    await raiseOperationalEvents(trx, outbox, options.fanOut, closed);
    return changes;
  });
}

async function probe(
  trx: Transaction<Database>,
  outbox: NoticeOutbox,
  webhook: ReturnType<typeof toWebhook>,
  options: CircuitProbeOptions,
): Promise<'probing' | 'waiting' | 'closed'> {
  const now = new Date();
  // The earliest held delivery that its call's order lets out (policies/call-order.ts).
  const held = await trx
    .selectFrom('deliveries')
    .select(['id', 'organization_id'])
    .where('webhook_id', '=', webhook.id)
    .where('status', '=', 'HELD')
    .where(callOrderAllows('deliveries', sql.lit(webhook.orderByCall)))
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  if (!held && (await hasHeld(trx, webhook.id))) {
    // Every held delivery waits for an earlier one of its call, still to be held when its retry
    // comes due: the probe waits for it.
    return 'waiting';
  }
  if (!held) {
    // Closed on probation: the failure count stays, so one more failure opens it again.
    const { circuit_failures: _, ...closed } = CLOSED_CIRCUIT;
    await trx.updateTable('webhooks').set(closed).where('id', '=', webhook.id).execute();
    await options.fanOut.admit(trx, outbox, [webhook.id]);
    return 'closed';
  }
  const watchdogMs = halfOpenWatchdogSeconds(options.requestTimeoutMs) * 1000;
  await trx
    .updateTable('webhooks')
    .set({
      circuit_state: 'HALF_OPEN',
      circuit_next_probe_at: new Date(now.getTime() + watchdogMs),
      circuit_probe_delivery_id: held.id,
    })
    .where('id', '=', webhook.id)
    .execute();
  await trx
    .updateTable('deliveries')
    .set({ status: 'PENDING', queue_state: 'admitted', next_attempt_at: now, updated_at: now })
    .where('id', '=', held.id)
    .execute();
  await options.fanOut.enqueue(trx, [
    {
      deliveryId: held.id,
      organizationId: held.organization_id,
      webhookId: webhook.id,
      concurrency: effectiveConcurrency(webhook, options.endpoints),
      priority: JOB_PRIORITY.quiet,
    },
  ]);
  outbox.notify({
    wake: true,
    deliveries: [
      {
        organizationId: held.organization_id,
        deliveryId: held.id,
        webhookId: webhook.id,
        status: 'PENDING',
      },
    ],
  });
  return 'probing';
}

async function hasHeld(trx: Transaction<Database>, webhookId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('deliveries')
    .select('id')
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'HELD')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
