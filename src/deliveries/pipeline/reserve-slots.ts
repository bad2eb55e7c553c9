import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { slotIntervalMs } from '../policies/rate-limit.ts';

export interface SlotRequest {
  webhookId: string;
  ratePerSecond: number;
  count: number;
}

/**
 * Takes the next `count` send slots of each rate-limited endpoint, in one statement for a whole
 * fetched batch; returns each endpoint's slots in order. The row is shared by every worker, so
 * the spacing holds across processes.
 */
export async function reserveSendSlots(
  db: Db,
  requests: readonly SlotRequest[],
): Promise<Map<string, Date[]>> {
  if (requests.length === 0) return new Map();
  const values = sql.join(
    requests.map(
      (r) => sql`(${r.webhookId}::text, ${r.count * slotIntervalMs(r.ratePerSecond)}::float8)`,
    ),
  );
  const { rows } = await sql<{ webhook_id: string; next_slot_at: Date }>`
    /* reserveSendSlots */
    insert into endpoint_rate_slots as s (webhook_id, next_slot_at)
    select v.webhook_id, now() + v.span_ms * interval '1 millisecond'
    from (values ${values}) as v(webhook_id, span_ms)
    order by v.webhook_id
    on conflict (webhook_id) do update
      set next_slot_at = greatest(s.next_slot_at, now()) + (excluded.next_slot_at - now())
    returning s.webhook_id, s.next_slot_at`.execute(db);
  const next = new Map(rows.map((row) => [row.webhook_id, row.next_slot_at]));
  const slots = new Map<string, Date[]>();
  for (const r of requests) {
    const end = next.get(r.webhookId);
    if (!end) continue;
    const interval = slotIntervalMs(r.ratePerSecond);
    const first = end.getTime() - r.count * interval;
    slots.set(
      r.webhookId,
      Array.from({ length: r.count }, (_, i) => new Date(first + i * interval)),
    );
  }
  return slots;
}
