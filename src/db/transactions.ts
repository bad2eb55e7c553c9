import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';

/**
 * What a transaction publishes when it commits: notices for other processes (and this one).
 * Publishing is the notifier's business (src/pubsub/notifier.ts); when is this module's: never
 * before the COMMIT, never after a ROLLBACK.
 */
export interface Outbox<N> {
  notify(notices: N): void;
}

/** How a notifier takes a transaction's notices: statements to run with its COMMIT, or after. */
export interface CommitNoticeSink<N> {
  /** SQL to send in the COMMIT's own message (PostgreSQL's NOTIFY); none for in-process. */
  statementsAtCommit(notices: readonly N[]): string[];
  /** Called once the transaction has committed. */
  committed(notices: readonly N[]): void;
}

/**
 * The COMMIT was sent but no answer came (the connection broke): the transaction may or may
 * not have committed. Whoever retries must know that a retry may do the work twice.
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super('the connection failed during COMMIT: the transaction may or may not have committed', {
      cause,
    });
    this.name = 'CommitOutcomeUnknownError';
  }
}

/** An error the server answered (it has a SQLSTATE) means the COMMIT did not happen. */
export function commitFailure(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? error
    : new CommitOutcomeUnknownError(error);
}

export type InTransaction<N> = <T>(
  work: (trx: Transaction<Database>, outbox: Outbox<N>) => Promise<T>,
) => Promise<T>;

/**
 * Runs work in a transaction whose notices go out with its COMMIT, in the same round trip
 * (without parameters, pg sends the statements and the COMMIT as one simple-protocol message,
 * still atomic: a failed statement skips the COMMIT). The hot paths (ingest, settlements)
 * commit hundreds of times a second, and on a busy machine every round trip is time. A
 * connection lost during the COMMIT rejects with CommitOutcomeUnknownError.
 */
export function transactionsWithOutbox<N>(
  db: Kysely<Database>,
  sink: CommitNoticeSink<N>,
): InTransaction<N> {
  return (work) =>
    db.connection().execute(async (connection) => {
      const notices: N[] = [];
      const outbox: Outbox<N> = { notify: (n) => void notices.push(n) };
      await sql`begin`.execute(connection);
      let result: Awaited<ReturnType<typeof work>>;
      try {
        // The connection holds an open transaction for `work`: what Kysely's Transaction type
        // stands for (functions that must run in one ask for it). Only this module opens one.
        result = await work(connection as Transaction<Database>, outbox);
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
      try {
        await sql
          .raw([...sink.statementsAtCommit(notices), 'commit'].join('; '))
          .execute(connection);
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw commitFailure(error);
      }
      sink.committed(notices);
      return result;
    });
}
