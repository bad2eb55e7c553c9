import { sql } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { Attempted } from '../settlement.ts';

/**
 * A batch that changes endpoints both ways (streaks ended, streaks started or circuits moved)
 * writes them in more than one statement; two workers doing so in different orders would
 * deadlock. So such a batch first locks every endpoint it touches, in id order, as
 * toggleWebhook and deleteWebhook do (webhooks before deliveries). A batch of successes only to
 * closed circuits needs no lock.
 */
export async function lockEndpointsIfChanging(
  trx: Db,
  attempted: readonly Attempted[],
): Promise<void> {
  const changing = attempted.some(
    (s) => !s.result.outcome.ok || s.context.webhook.circuit.state !== 'CLOSED',
  );
  if (!changing) return;
  const ids = [...new Set(attempted.map((s) => s.context.webhook.id))].sort();
  await sql`select id from webhooks where id = any(${ids}::text[]) order by id for no key update`.execute(
    trx,
  );
}
