import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../db/database.ts';
import type { CommitNoticeSink } from '../db/transactions.ts';
import type { Logger } from '../shared/logger.ts';
import { decodeNotices, encodeNotices, type Notices } from './notices.ts';

export const NOTICE_CHANNEL = 'hookline_notices';
/** A marker's payload is `{"m":"<token>"}`: no notice payload starts this way. */
const MARKER_PREFIX = '{"m":"';

export type NoticeListener = (notices: Notices) => void;

/**
 * Carries notices between processes: LISTEN/NOTIFY on PostgreSQL, in-process events on the
 * embedded database. A transaction's notices go out with its COMMIT (db/transactions.ts, as the
 * sink this is), so listeners hear of a change only once it is committed, never of one rolled
 * back.
 */
export interface Notifier extends CommitNoticeSink<Notices> {
  /** Publishes at once, outside any transaction of ours. */
  publish(db: Db, notices: Notices): Promise<void>;
  /** Returns a function that stops listening. */
  listen(listener: NoticeListener): () => void;
  /** Called after a lost LISTEN connection is back: notices may have been missed meanwhile. */
  onReconnect(listener: () => void): () => void;
  /**
   * Settles once every notice committed before the call has reached this process's listeners
   * (or, should the connection drop meanwhile, after a few seconds: the reconnect tells them).
   * A reader that has just queried the database learns when no notice of a row it read can
   * still arrive late.
   */
  heardUpToNow(db: Db): Promise<void>;
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
 * to local listeners, a transaction's once it has committed (as NOTIFY would), so a listener may
 * answer from memory (the live feed's recent attempts), not only by a query that waits for the
 * commit.
 */
export function createInProcessNotifier(logger: Logger): Notifier {
  const listeners = new ListenerSet(logger);
  return {
    async publish(_db, notices) {
      queueMicrotask(() => listeners.emitNotices(notices));
    },
    statementsAtCommit: () => [],
    committed(notices) {
      for (const each of notices) listeners.emitNotices(each);
    },
    listen: (listener) => listeners.onNotices(listener),
    onReconnect: (listener) => listeners.onReconnect(listener),
    // A committed transaction's notices have already been handed out (in `committed`).
    heardUpToNow: async () => {},
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

/** How long `heardUpToNow` waits for its marker before it gives up on the connection. */
const MARKER_TIMEOUT_MS = 5_000;

export function createPostgresNotifier(connectionString: string, logger: Logger): Notifier {
  const listeners = new ListenerSet(logger);
  // Markers this process has sent and not yet heard back (their own payload: {"m": token}).
  const markers = new Map<string, () => void>();
  let client: pg.Client | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'hookline-listener' });
    next.on('notification', (message) => {
      if (message.channel !== NOTICE_CHANNEL || !message.payload) return;
      if (message.payload.startsWith(MARKER_PREFIX)) {
        markers.get(message.payload.slice(MARKER_PREFIX.length, -2))?.();
        return;
      }
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

  return {
    async publish(db, notices) {
      for (const payload of encodeNotices(notices)) {
        await sql`select pg_notify(${NOTICE_CHANNEL}, ${payload})`.execute(db);
      }
    },
    statementsAtCommit: (notices) => notices.flatMap(notifyStatements),
    // Listeners hear them back through LISTEN, this process's included.
    committed() {},
    listen: (listener) => listeners.onNotices(listener),
    onReconnect: (listener) => listeners.onReconnect(listener),
    // PostgreSQL delivers notifications in commit order: once our marker is heard, every notice
    // committed before it was sent has been heard (and handed to the listeners) too.
    async heardUpToNow(db) {
      const token = randomUUID();
      const heard = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, MARKER_TIMEOUT_MS);
        markers.set(token, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      try {
        await sql`select pg_notify(${NOTICE_CHANNEL}, ${`${MARKER_PREFIX}${token}"}`})`.execute(db);
        await heard;
      } finally {
        markers.delete(token);
      }
    },
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
