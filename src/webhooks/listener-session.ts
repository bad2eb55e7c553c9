import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Notifier } from '../pubsub/notifier.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { LISTENER_HEARTBEAT_MS } from './listener-relay.ts';
import * as listeners from './listeners.repository.ts';
import type { ListenerExchangeRow } from './listeners.table.ts';

export interface ListenerSessionOptions {
  db: Kysely<Database>;
  notifier: Notifier;
  logger: Logger;
  organizationId: string;
  webhookId: string;
}

/**
 * One connected `hookline listen`, as the requests it is to forward: while it is open, the
 * webhook counts as listened to (a session row, refreshed), and each request the worker hands
 * over (listener-relay.ts) is claimed by exactly one session. Returning the iterator (the client
 * unsubscribed or went away) ends the session at once, even while it waits.
 */
export async function openListenerSession(
  options: ListenerSessionOptions,
): Promise<AsyncIterableIterator<ListenerExchangeRow>> {
  const { db, notifier, logger, webhookId } = options;
  const sessionId = newId('ListenerSession');
  const ready: ListenerExchangeRow[] = [];
  const announced = new Set<string>();
  let claimAll = true;
  let closed = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };

  await listeners.insertListenerSession(db, {
    id: sessionId,
    organization_id: options.organizationId,
    webhook_id: webhookId,
  });
  const heartbeat = setInterval(() => {
    listeners
      .touchListenerSession(db, sessionId)
      .catch((error: unknown) => logger.warn({ err: error }, 'listener heartbeat failed'));
  }, LISTENER_HEARTBEAT_MS);
  const stopListening = notifier.listen((notices) => {
    for (const notice of notices.listener ?? []) {
      if (notice.kind === 'request' && notice.webhookId === webhookId) {
        announced.add(notice.exchangeId);
        nudge();
      }
    }
  });
  // Requests announced while the LISTEN connection was down: look for all of them.
  const stopReconnect = notifier.onReconnect(() => {
    claimAll = true;
    nudge();
  });

  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stopListening();
    stopReconnect();
    nudge();
    await listeners.deleteListenerSession(db, sessionId).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not end a listener session');
    });
  };

  const claim = async () => {
    const ids = claimAll ? 'all' : [...announced];
    claimAll = false;
    announced.clear();
    ready.push(...(await listeners.claimListenerExchanges(db, webhookId, ids)));
  };

  const iterator: AsyncIterableIterator<ListenerExchangeRow> = {
    async next() {
      while (!closed) {
        const next = ready.shift();
        if (next) return { done: false, value: next };
        if (claimAll || announced.size > 0) {
          await claim();
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      return { done: true, value: undefined };
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
