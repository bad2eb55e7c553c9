import type { DatabaseHandle } from '../db/connect.ts';
import { transactionsWithOutbox } from '../db/transactions.ts';
import { createInProcessNotifier, createPostgresNotifier } from '../pubsub/notifier.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * Transactions whose notices reach the running servers, as the API's do (a revoked key's
 * connections closed, a replay's workers woken). Publishing needs no LISTEN connection:
 * pg_notify runs on the transaction.
 */
export function cliTransactions(database: DatabaseHandle, logger: Logger): Transactions {
  const notifier =
    database.mode === 'embedded'
      ? createInProcessNotifier(logger)
      : createPostgresNotifier(database.connectionString, logger);
  return transactionsWithOutbox(database.db, notifier);
}
