import { sql } from 'kysely';
import type { EndpointSettings } from '../../config/config.ts';
import type { Db } from '../../db/database.ts';
import { callOrderAllows } from '../policies/call-order.ts';
import { ADMITTED_PER_SLOT, BUSY_ORGANIZATION_ADMITTED } from '../policies/fair-share.ts';

export interface AdmittedDelivery {
  id: string;
  organizationId: string;
  webhookId: string;
  /** The endpoint's concurrency limit at admission: the job's pg-boss tier. */
  concurrency: number;
  /** The organization had fewer than BUSY_ORGANIZATION_ADMITTED admitted, this one included. */
  quiet: boolean;
}

export interface HeldDelivery {
  id: string;
  organizationId: string;
  webhookId: string;
}

export interface Admission {
  admitted: AdmittedDelivery[];
  /** Waiting deliveries of endpoints whose circuit is not closed: now HELD. */
  held: HeldDelivery[];
}

/**
 * Admits waiting deliveries of these webhooks, oldest first, up to each endpoint's queue limit
 * (policies/fair-share.ts) and, for endpoints that order by call, only those whose call has
 * nothing earlier unfinished (policies/call-order.ts); holds those of endpoints whose circuit is
 * not closed (policies/circuit-breaker.ts). Two transactions admitting for one endpoint at once may go a
 * little over its limit; the hard cap on attempts in flight is pg-boss's group concurrency.
 */
export async function admitWaitingDeliveries(
  trx: Db,
  webhookIds: readonly string[],
  endpoints: EndpointSettings,
): Promise<Admission> {
  if (webhookIds.length === 0) return { admitted: [], held: [] };
  const limit = sql.lit(ADMITTED_PER_SLOT);
  const busy = sql.lit(BUSY_ORGANIZATION_ADMITTED);
  const { rows } = await sql<{
    id: string;
    organization_id: string;
    webhook_id: string;
    concurrency: number;
    quiet: boolean;
    held: boolean;
  }>`
    /* admitWaitingDeliveries */
    with target as (
      select w.id, w.circuit_state, w.order_by_call,
        least(coalesce(w.max_concurrency, ${endpoints.defaultConcurrency}::int), ${endpoints.maxConcurrency}::int) as concurrency
      from webhooks w
      where w.id = any(${[...new Set(webhookIds)]}::text[])
    ), held as (
      update deliveries d set status = 'HELD', updated_at = now()
      from target t
      where d.webhook_id = t.id and t.circuit_state <> 'CLOSED'
        and d.status = 'PENDING' and d.queue_state = 'waiting'
      returning d.id, d.organization_id, d.webhook_id
    ), room as (
      select t.id, t.concurrency, t.order_by_call,
        ${limit} * t.concurrency - (
          select count(*) from (
            select 1 from deliveries q
            where q.webhook_id = t.id and q.status = 'PENDING' and q.queue_state = 'admitted'
            limit ${limit} * t.concurrency
          ) admitted
        ) as free
      from target t
      where t.circuit_state = 'CLOSED'
    ), picked as (
      select p.id, room.concurrency
      from room cross join lateral (
        select d.id from deliveries d
        where d.webhook_id = room.id and d.status = 'PENDING' and d.queue_state = 'waiting'
          and ${callOrderAllows('d', sql<boolean>`room.order_by_call`)}
        order by d.id
        limit greatest(room.free, 0)
        for update skip locked
      ) p
    ), admitted as (
      update deliveries d set queue_state = 'admitted'
      from picked p
      where d.id = p.id
      returning d.id, d.organization_id, d.webhook_id
    ), organization_load as (
      select o.organization_id, (
        select count(*) from (
          select 1 from deliveries q
          where q.organization_id = o.organization_id and q.status = 'PENDING'
            and q.queue_state = 'admitted'
          limit ${busy}
        ) admitted
      ) as admitted
      from (select distinct organization_id from admitted) o
    )
    select a.id, a.organization_id, a.webhook_id, p.concurrency,
      ol.admitted + row_number() over (partition by a.organization_id order by a.id) <= ${busy} as quiet,
      false as held
    from admitted a
    join picked p on p.id = a.id
    join organization_load ol on ol.organization_id = a.organization_id
    union all
    select h.id, h.organization_id, h.webhook_id, 0, false, true from held h`.execute(trx);
  const admission: Admission = { admitted: [], held: [] };
  for (const row of rows) {
    if (row.held) {
      admission.held.push({
        id: row.id,
        organizationId: row.organization_id,
        webhookId: row.webhook_id,
      });
    } else {
      admission.admitted.push({
        id: row.id,
        organizationId: row.organization_id,
        webhookId: row.webhook_id,
        concurrency: row.concurrency,
        quiet: row.quiet,
      });
    }
  }
  return admission;
}

/**
 * Endpoints with deliveries waiting for room, by a loose index scan of `deliveries_waiting`
 * (one index probe per endpoint, however many wait).
 */
export async function findEndpointsWithWaiting(db: Db, limit: number): Promise<string[]> {
  const { rows } = await sql<{ webhook_id: string }>`
    /* findEndpointsWithWaiting */
    with recursive endpoints as (
      (select webhook_id from deliveries
       where status = 'PENDING' and queue_state = 'waiting'
       order by webhook_id limit 1)
      union all
      select (
        select d.webhook_id from deliveries d
        where d.status = 'PENDING' and d.queue_state = 'waiting' and d.webhook_id > e.webhook_id
        order by d.webhook_id limit 1
      )
      from endpoints e
      where e.webhook_id is not null
    )
    select webhook_id from endpoints where webhook_id is not null limit ${limit}`.execute(db);
  return rows.map((row) => row.webhook_id);
}
