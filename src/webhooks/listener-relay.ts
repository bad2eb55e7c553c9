import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { SendOutcome } from '../delivery-client/index.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import * as listeners from './listeners.repository.ts';
import type { ListenerExchangeRow } from './listeners.table.ts';

/** A session not refreshed for this long is gone (its process died without saying so). */
export const LISTENER_SESSION_FRESH_SECONDS = 45;
/** How often a connected session says it is still there. */
export const LISTENER_HEARTBEAT_MS = 15_000;

export interface ListenerRequest {
  organizationId: string;
  webhookId: string;
  deliveryId: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The worker's side of a LISTENER webhook: an attempt is handed to whichever API process holds
 * a `hookline listen` for the webhook, through a listener_exchanges row and a notice each way,
 * so worker and API may be different processes. The outcome reads like an HTTP attempt's: the
 * local server's status and body, or listener_offline when nobody listens (retried on the
 * schedule like any failure).
 */
export interface ListenerRelay {
  send(request: ListenerRequest): Promise<SendOutcome>;
  stop(): void;
}

export function createListenerRelay(options: {
  db: Kysely<Database>;
  notifier: Notifier;
  logger: Logger;
}): ListenerRelay {
  const { db, notifier, logger } = options;
  const waiters = new Map<string, () => void>();
  const unsubscribe = notifier.listen((notices) => {
    for (const notice of notices.listener ?? []) {
      if (notice.kind === 'answer') waiters.get(notice.exchangeId)?.();
    }
  });

  const waitForAnswer = (id: string, timeoutMs: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done);
      waiters.set(id, done);
    });

  return {
    async send(request) {
      const started = performance.now();
      const outcome = (rest: Partial<SendOutcome>): SendOutcome => ({
        status: null,
        ok: false,
        responseBody: null,
        responseHeaders: {},
        retryAfterSeconds: null,
        error: null,
        ...rest,
        durationMs: Math.round(performance.now() - started),
      });
      if (
        !(await listeners.hasFreshListenerSession(
          db,
          request.webhookId,
          LISTENER_SESSION_FRESH_SECONDS,
        ))
      ) {
        return outcome({ error: OFFLINE });
      }
      const id = newId('ListenerExchange');
      const answered = waitForAnswer(id, request.timeoutMs, request.signal);
      try {
        await listeners.insertListenerExchange(db, {
          id,
          organization_id: request.organizationId,
          webhook_id: request.webhookId,
          delivery_id: request.deliveryId,
          request_headers: request.headers,
          body: request.body,
          expires_at: new Date(Date.now() + request.timeoutMs),
        });
        await notifier.publish(db, {
          listener: [{ kind: 'request', webhookId: request.webhookId, exchangeId: id }],
        });
        await answered;
        // Read whatever happened, notice or not: an answer whose notice was lost still counts.
        const row = await listeners.findListenerExchange(db, id);
        if (request.signal?.aborted && !row?.answered_at) {
          return outcome({ error: { kind: 'aborted', message: 'delivery attempt was aborted' } });
        }
        return outcome(outcomeOf(row, request.timeoutMs));
      } finally {
        waiters.get(id)?.();
        await listeners.deleteListenerExchange(db, id).catch((error: unknown) => {
          logger.warn({ err: error, exchangeId: id }, 'could not delete a listener exchange');
        });
      }
    },
    stop: unsubscribe,
  };
}

const OFFLINE = {
  kind: 'listener_offline',
  message: 'no `hookline listen` is connected for this webhook',
} as const;

function outcomeOf(row: ListenerExchangeRow | undefined, timeoutMs: number): Partial<SendOutcome> {
  if (!row?.claimed_at) return { error: OFFLINE };
  if (!row.answered_at) {
    return {
      error: { kind: 'timeout', message: `the listener gave no answer within ${timeoutMs} ms` },
    };
  }
  if (row.error !== null) return { error: { kind: 'listener_forward', message: row.error } };
  const status = row.response_status;
  return {
    status,
    ok: status !== null && status >= 200 && status < 300,
    responseBody: row.response_body,
  };
}
