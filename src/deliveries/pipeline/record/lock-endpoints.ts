import { sql } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { Webhook } from '../../../webhooks/webhook.ts';

/** One request's outcome at an endpoint: a worker's attempt or a call setup's try. */
export interface EndpointOutcome {
  webhook: Pick<Webhook, 'id' | 'circuit'>;
  ok: boolean;
}

/**
 * A batch that changes endpoints both ways (streaks ended, streaks started or circuits moved)
 * writes them in more than one statement; two workers doing so in different orders would
 * deadlock. So such a batch first locks every endpoint it touches, in id order, as
 * toggleWebhook and deleteWebhook do (webhooks before deliveries). A batch of successes only to
 * closed circuits needs no lock.
 */
export async function lockEndpointsIfChanging(
  trx: Db,
  outcomes: readonly EndpointOutcome[],
): Promise<void> {
  const changing = outcomes.some((o) => !o.ok || o.webhook.circuit.state !== 'CLOSED');
  if (!changing) return;
  const ids = [...new Set(outcomes.map((o) => o.webhook.id))].sort();
  await sql`select id from webhooks where id = any(${ids}::text[]) order by id for no key update`.execute(
    trx,
  );
}
