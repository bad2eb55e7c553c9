import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLErrorShape } from '@hookline/client';
import { print } from 'graphql';
import WebSocket from 'ws';
import type { LiveFeeds } from '../../src/pubsub/live-feed.ts';
import { eventually } from './assertions.ts';

/**
 * Reads a subscription in the background, so a test can wait for an item it expects and then
 * look at everything that came (in order) before it.
 */
export interface Collector<T> {
  readonly items: T[];
  /** What the stream failed with, if it did. */
  readonly error: unknown;
  readonly ended: boolean;
  /** The first item (already here or still to come) that satisfies `predicate`. */
  waitFor(predicate: (item: T) => boolean, message: string, timeoutMs?: number): Promise<T>;
  /** Resolves once the stream has ended, with an error or not. */
  waitForEnd(message: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function collect<T>(iterator: AsyncIterableIterator<T>): Collector<T> {
  const items: T[] = [];
  const state: { error: unknown; ended: boolean } = { error: undefined, ended: false };
  let wake: () => void = () => {};
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const notify = () => {
    const resolve = wake;
    changed = new Promise<void>((next) => {
      wake = next;
    });
    resolve();
  };
  void (async () => {
    try {
      for await (const item of iterator) {
        items.push(item);
        notify();
      }
    } catch (error) {
      state.error = error;
    } finally {
      state.ended = true;
      notify();
    }
  })();

  const until = async <R>(
    check: () => R | undefined,
    message: string,
    timeoutMs: number,
  ): Promise<R> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (state.ended) {
        throw new Error(`subscription ended before ${message}: ${String(state.error)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${message} (${items.length} items)`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        changed,
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
  };

  return {
    items,
    get error() {
      return state.error;
    },
    get ended() {
      return state.ended;
    },
    waitFor: (predicate, message, timeoutMs = 20_000) =>
      until(() => items.find(predicate), message, timeoutMs),
    async waitForEnd(message, timeoutMs = 20_000) {
      await until(() => (state.ended ? true : undefined), message, timeoutMs);
    },
    async stop() {
      await iterator.return?.();
    },
  };
}

/** Maps each item of a subscription (e.g. to the field under `data`). */
export function mapItems<A, B>(
  source: AsyncIterableIterator<A>,
  map: (a: A) => B,
): AsyncIterableIterator<B> {
  const mapped: AsyncIterableIterator<B> = {
    async next() {
      const result = await source.next();
      return result.done
        ? { done: true, value: undefined }
        : { done: false, value: map(result.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

/** Waits until this process's live feeds have exactly `count` subscribers. */
export async function subscribersToBe(feeds: LiveFeeds, count: number): Promise<void> {
  await eventually(() => (feeds.subscriberCount === count ? true : undefined), {
    message: `${count} live subscribers (now ${feeds.subscriberCount})`,
  });
}

export interface ServerSentEvent {
  event: string;
  data: string;
}

export interface SseResult<R> {
  data?: R | null;
  errors?: GraphQLErrorShape[];
}

export interface SseSubscription<R> {
  status: number;
  contentType: string | null;
  /** The `next` payloads, until `complete`. */
  results: AsyncIterableIterator<SseResult<R>>;
  close(): void;
}

/**
 * A subscription over Server-Sent Events with plain fetch, as a browser's EventSource-less
 * client would do it: POST the operation with `Accept: text/event-stream`, read `event:` and
 * `data:` lines.
 */
export async function sseSubscribe<R, V>(
  url: string,
  apiKey: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<SseSubscription<R>> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${apiKey}`,
    },
    body: JSON.stringify({ query: print(document), variables }),
    signal: abort.signal,
  });
  const events = readServerSentEvents(response);
  async function* results(): AsyncGenerator<SseResult<R>> {
    for await (const event of events) {
      if (event.event === 'complete') return;
      if (event.event === 'next') yield JSON.parse(event.data) as SseResult<R>;
    }
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    results: results(),
    close: () => abort.abort(),
  };
}

async function* readServerSentEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue; // a keep-alive comment
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0 || event !== 'message') yield { event, data: data.join('\n') };
      }
    }
  } catch (error) {
    // Our own close() aborts the body: that is the end of the stream, not a failure.
    if ((error as Error).name !== 'AbortError') throw error;
  }
}

/** A bare graphql-ws connection (the `ws` package), to see close codes and raw messages. */
export function openGraphqlWs(url: string): WebSocket {
  return new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
}

/** The close code and reason of a socket, once it closes. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}
