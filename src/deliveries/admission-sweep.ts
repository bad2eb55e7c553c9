import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import { findEndpointsWithWaiting } from './fan-out/admission.repository.ts';
import type { FanOut } from './fan-out/fan-out.ts';

/** Endpoints looked at per sweep; more wait for the next one. */
const ENDPOINTS_PER_SWEEP = 500;

/**
 * Admits deliveries that wait for room while their endpoint has some. A settlement admits the
 * next ones of its own endpoint as it frees room, but it decides from what its batch loaded when
 * fetched: deliveries that began to wait after that, and endpoints whose limit was raised, are
 * picked up here. Workers run it every second. Returns how many endpoints it looked at.
 */
export async function sweepWaitingDeliveries(options: {
  db: Kysely<Database>;
  transactions: Transactions;
  fanOut: FanOut;
}): Promise<number> {
  const endpoints = await findEndpointsWithWaiting(options.db, ENDPOINTS_PER_SWEEP);
  if (endpoints.length === 0) return 0;
  await options.transactions((trx, outbox) => options.fanOut.admit(trx, outbox, endpoints));
  return endpoints.length;
}
