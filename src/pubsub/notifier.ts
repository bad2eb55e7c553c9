import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database, Db } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import { decodeNotices, encodeNotices, type Notices } from './notices.ts';

export const NOTICE_CHANNEL = 'hookline_notices';

export type NoticeListener = (notices: Notices) => void;

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

/**
 * Carries notices between processes. `publish` runs on the caller's transaction, so listeners
 * hear of a change only once it is committed, and never of one rolled back (on PostgreSQL).
 */
export interface Notifier {
  publish(db: Db, notices: Notices): Promise<void>;
  /**
   * Runs `work` in a transaction. Notices it publishes go out with its COMMIT, in the same round
   * trip, rather than one query each: the hot paths (ingest, settlements) commit hundreds of
   * times a second, and on a busy machine every round trip is time. A connection lost during
   * the COMMIT rejects with CommitOutcomeUnknownError.
   */
  transaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Returns a function that stops listening. */
  listen(listener: NoticeListener): () => void;
  /** Called after a lost LISTEN connection is back: notices may have been missed meanwhile. */
  onReconnect(listener: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Listeners of one notifier; a throwing listener must not starve the others. */
class ListenerSet {
  readonly #notices = new Set<NoticeListener>();
  readonly #reconnects = new Set<() => void>();
  readonly #logger: Logger;
  constructor(logger: Logger) {
    this.#logger = logger;
  }
  onNotices(listener: NoticeListener): () => void {
    this.#notices.add(listener);
    return () => this.#notices.delete(listener);
  }
  onReconnect(listener: () => void): () => void {
    this.#reconnects.add(listener);
    return () => this.#reconnects.delete(listener);
  }
  emitNotices(notices: Notices): void {
    for (const listener of this.#notices) this.#guard(() => listener(notices));
  }
  emitReconnect(): void {
    for (const listener of this.#reconnects) this.#guard(listener);
  }
  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#logger.error({ err: error }, 'notice listener failed');
    }
  }
}

/**
 * Embedded mode is one process, and PGlite's socket does not carry NOTIFY: notices go straight
 * to local listeners. Those published inside `transaction` are emitted once it has committed
 * (never if it rolls back), as NOTIFY would be: a listener may answer from memory (the live
 * feed's recent attempts), not only by a query that waits for the commit. Any other publish is
 * emitted at once; PGlite has a single connection, which the transaction holds, so a listener's
 * query still waits for the commit.
 */
export function createInProcessNotifier(logger: Logger): Notifier {
  const listeners = new ListenerSet(logger);
  const atCommit = new WeakMap<object, Notices[]>();
  return {
    async publish(db, notices) {
      const waiting = atCommit.get(db);
      if (waiting) waiting.push(notices);
      else queueMicrotask(() => listeners.emitNotices(notices));
    },
    async transaction(db, work) {
      const waiting: Notices[] = [];
      let committing = false;
      const result = await db
        .transaction()
        .execute(async (trx) => {
          atCommit.set(trx, waiting);
          try {
            const done = await work(trx);
            committing = true;
            return done;
          } finally {
            atCommit.delete(trx);
          }
        })
        .catch((error: unknown) => {
          throw committing ? commitFailure(error) : error;
        });
      for (const notices of waiting) listeners.emitNotices(notices);
      return result;
    },
    listen: (listener) => listeners.onNotices(listener),
    onReconnect: (listener) => listeners.onReconnect(listener),
    async start() {},
    async stop() {},
  };
}

/**
 * PostgreSQL LISTEN/NOTIFY on a dedicated connection, reconnecting with capped exponential
 * backoff when it drops. Listeners stay registered across reconnects, so subscribers of the
 * live feeds never notice more than a gap.
 */
function notifyStatements(notices: Notices): string[] {
  return encodeNotices(notices).map(
    (payload) => `select pg_notify('${NOTICE_CHANNEL}', ${pg.escapeLiteral(payload)})`,
  );
}

export function createPostgresNotifier(connectionString: string, logger: Logger): Notifier {
  const listeners = new ListenerSet(logger);
  let client: pg.Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'hookline-listener' });
    next.on('notification', (message) => {
      if (message.channel !== NOTICE_CHANNEL || !message.payload) return;
      try {
        listeners.emitNotices(decodeNotices(message.payload));
      } catch (error) {
        logger.error({ err: error }, 'could not decode a notice');
      }
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'LISTEN connection failed; reconnecting');
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    await next.connect();
    await next.query(`LISTEN ${NOTICE_CHANNEL}`);
    client = next;
    if (attempt > 0) {
      logger.info({ attempts: attempt }, 'LISTEN connection restored');
      listeners.emitReconnect();
    }
    attempt = 0;
  };

  const scheduleReconnect = (failed: pg.Client) => {
    if (stopped || client !== failed || retryTimer) return;
    client = undefined;
    failed.end().catch(() => {});
    const retry = () => {
      attempt++;
      const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (stopped) return;
        connect().catch((error) => {
          logger.warn({ err: error, attempt }, 'LISTEN reconnect failed');
          retry();
        });
      }, delay);
    };
    retry();
  };

  /** Notices published on a connection inside `transaction`, waiting for its commit. */
  const atCommit = new WeakMap<object, Notices[]>();

  return {
    async publish(db, notices) {
      const waiting = atCommit.get(db);
      if (waiting) {
        waiting.push(notices);
        return;
      }
      for (const payload of encodeNotices(notices)) {
        await sql`select pg_notify(${NOTICE_CHANNEL}, ${payload})`.execute(db);
      }
    },
    transaction: (db, work) =>
      db.connection().execute(async (connection) => {
        const waiting: Notices[] = [];
        await sql`begin`.execute(connection);
        try {
          atCommit.set(connection, waiting);
          const result = await work(connection);
          atCommit.delete(connection);
          // Without parameters, pg sends this as one simple-protocol message: the NOTIFYs and the
          // COMMIT in one round trip, and still atomic (a failed statement skips the COMMIT).
          await sql
            .raw([...waiting.flatMap(notifyStatements), 'commit'].join('; '))
            .execute(connection)
            .catch((error: unknown) => {
              throw commitFailure(error);
            });
          return result;
        } catch (error) {
          atCommit.delete(connection);
          await sql`rollback`.execute(connection).catch(() => {});
          throw error;
        }
      }),
    listen: (listener) => listeners.onNotices(listener),
    onReconnect: (listener) => listeners.onReconnect(listener),
    start: connect,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
