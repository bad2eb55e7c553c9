import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { EventTypeName } from '../../event-types/event-types.ts';
import { toWebhook, type Webhook } from '../../webhooks/webhook.ts';
import type { DeliveryStatus, QueueState } from '../deliveries.table.ts';

/** Everything one attempt needs, loaded for a whole fetched batch in one query. */
export interface DeliveryContext {
  delivery: {
    id: string;
    organizationId: string;
    status: DeliveryStatus;
    queueState: QueueState;
    attemptCount: number;
    seriesAttemptCount: number;
  };
  event: {
    id: string;
    type: EventTypeName;
    agentId: string | null;
    payload: Record<string, unknown>;
    createdAt: Date;
  };
  webhook: Webhook;
  /** Deliveries of this endpoint wait for room: finishing this one should admit another. */
  webhookHasWaiting: boolean;
}

export async function loadDeliveryContexts(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, DeliveryContext>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('deliveries as d')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select([
      'd.id as d_id',
      'd.organization_id as d_organization_id',
      'd.status as d_status',
      'd.queue_state as d_queue_state',
      'd.attempt_count as d_attempt_count',
      'd.series_attempt_count as d_series_attempt_count',
      'e.id as e_id',
      'e.type as e_type',
      'e.agent_id as e_agent_id',
      'e.payload as e_payload',
      'e.created_at as e_created_at',
    ])
    .selectAll('w')
    .select(
      sql<boolean>`exists (
        select 1 from deliveries x
        where x.webhook_id = w.id and x.status = 'PENDING' and x.queue_state = 'waiting'
      )`.as('w_has_waiting'),
    )
    .where('d.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((row) => [
      row.d_id,
      {
        delivery: {
          id: row.d_id,
          organizationId: row.d_organization_id,
          status: row.d_status,
          queueState: row.d_queue_state,
          attemptCount: row.d_attempt_count,
          seriesAttemptCount: row.d_series_attempt_count,
        },
        event: {
          id: row.e_id,
          type: row.e_type as EventTypeName,
          agentId: row.e_agent_id,
          payload: row.e_payload,
          createdAt: row.e_created_at,
        },
        webhook: toWebhook(row),
        webhookHasWaiting: row.w_has_waiting,
      },
    ]),
  );
}
