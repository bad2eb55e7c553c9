import { type RawBuilder, sql } from 'kysely';

/**
 * Ordered delivery per call, opted into per webhook (`orderByCall`). For such an endpoint, a
 * call's later event is not sent until its earlier one is finished: SUCCEEDED, FAILED (its
 * schedule ran out) or CANCELLED. So a receiver sees pre-conversation, post-conversation and
 * analytics-completed of one call in that order, while other calls go on meanwhile: a call
 * waits only for itself. Endpoints that do not opt in get no ordering, as before.
 *
 * "Earlier" is the delivery id's order: a delivery id begins with its event's time (ms), so
 * deliveries of one endpoint sort as their events were stored (two events of one call stored
 * in the same millisecond have no defined order). A delivery waits as long as an earlier one of
 * the same endpoint and call is unfinished (PENDING, retrying included, or HELD).
 *
 * Applied where deliveries are admitted to the queue (fan-out/admission.repository.ts) and where
 * an open circuit picks its probe (circuit-probes.ts), and nowhere else: admission runs again
 * whenever a delivery of the endpoint finishes (its settlement) and every second (the sweep),
 * so the next event of the call goes out once the earlier one is done. Test events belong to
 * no call, and call setups are stored finished: neither ever waits or makes anyone wait.
 */

/**
 * SQL that is true when delivery `d` (a relation alias with webhook_id, call_id and id) may go
 * out now as far as its call's order goes, given whether its endpoint orders by call. The probe
 * is served by the partial index deliveries_unfinished_by_call.
 */
export function callOrderAllows(d: string, ordersByCall: RawBuilder<boolean>): RawBuilder<boolean> {
  const ref = (column: string) => sql.ref(`${d}.${column}`);
  return sql<boolean>`(not ${ordersByCall} or ${ref('call_id')} is null or not exists (
    select 1 from deliveries earlier
    where earlier.webhook_id = ${ref('webhook_id')} and earlier.call_id = ${ref('call_id')}
      and earlier.id < ${ref('id')} and earlier.status in ('PENDING', 'HELD')
  ))`;
}
