import { type Client, createClient } from 'graphql-ws';

export type LiveStatus =
  | { state: 'connecting' }
  | { state: 'live' }
  | { state: 'reconnecting' }
  | { state: 'closed'; reason: string };

/** Close codes after which trying again cannot help: the key or the request is wrong. */
const FINAL_CLOSE_CODES: Record<number, string> = {
  4400: 'the server rejected the request',
  4401: 'no API key was sent',
  4403: 'the API key was not accepted: it may have been revoked',
  4429: 'too many connections',
};

const isCloseEvent = (value: unknown): value is CloseEvent =>
  typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;

/** One WebSocket for the session's subscriptions, and whether it is up. */
export interface LiveConnection {
  client: Client;
  status(): LiveStatus;
  onStatus(listener: (status: LiveStatus) => void): () => void;
  dispose(): void;
}

/**
 * graphql-ws on this server's /graphql, authenticated through connection params (a WebSocket
 * carries no Authorization header). It connects when a screen first subscribes, reconnects by
 * itself with backoff, and then re-subscribes what was active.
 */
export function createLiveConnection(apiKey: string): LiveConnection {
  const url = new URL('/graphql', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let current: LiveStatus = { state: 'connecting' };
  let everConnected = false;
  const listeners = new Set<(status: LiveStatus) => void>();
  const report = (status: LiveStatus) => {
    current = status;
    for (const listener of listeners) listener(status);
  };
  const client = createClient({
    url: url.toString(),
    connectionParams: { authorization: `Bearer ${apiKey}` },
    lazy: true,
    lazyCloseTimeout: 5000,
    keepAlive: 20_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (failure) => !(isCloseEvent(failure) && failure.code in FINAL_CLOSE_CODES),
    on: {
      connecting: () => report(everConnected ? { state: 'reconnecting' } : { state: 'connecting' }),
      connected: () => {
        everConnected = true;
        report({ state: 'live' });
      },
      closed: (event) => {
        if (isCloseEvent(event) && event.code in FINAL_CLOSE_CODES) {
          report({ state: 'closed', reason: FINAL_CLOSE_CODES[event.code]! });
        } else {
          // Closed for lack of subscribers, or lost: the next subscription connects again.
          report(everConnected ? { state: 'reconnecting' } : { state: 'connecting' });
        }
      },
    },
  });
  return {
    client,
    status: () => current,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose: () => void client.dispose(),
  };
}
