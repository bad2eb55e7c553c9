import type { Db } from '../db/database.ts';
import { UNFINISHED_STATUSES } from './deliveries.table.ts';

/**
 * Cancels what a webhook still owes: used when it is disabled or deleted. Workers check the
 * delivery's status before sending, so their queued jobs end without contacting anyone.
 */
export async function cancelPendingDeliveriesOfWebhook(
  db: Db,
  organizationId: string,
  webhookId: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('deliveries')
    .set({ status: 'CANCELLED', next_attempt_at: null, updated_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('webhook_id', '=', webhookId)
    .where('status', 'in', UNFINISHED_STATUSES)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
