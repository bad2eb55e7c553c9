import type { Plugin } from 'graphql-yoga';
import type { Metrics, SubscriptionTransport } from '../metrics/metrics.ts';

/**
 * Every GraphQL subscription this process serves, whatever its transport, seen through Yoga's
 * subscribe hook (graphql-ws runs its operations through the same envelop, so one plugin sees
 * both). It keeps `hookline_active_subscriptions{transport}` and, at shutdown, ends them all the
 * way their source would: an SSE stream gets its `complete` event and a clean end of response,
 * a graphql-ws operation its Complete message, before the socket is closed with 1001.
 */
export interface LiveSubscriptions {
  plugin: Plugin;
  /**
   * Ends every open subscription (later ones end as soon as they start), and resolves once the
   * transports have had their turn to write the completion (before sockets are closed).
   */
  endAll(): Promise<void>;
  count(): number;
}

export function createLiveSubscriptions(metrics?: Metrics): LiveSubscriptions {
  const open = new Set<{ end(): void }>();
  let ending = false;
  return {
    plugin: {
      onSubscribe({ args }) {
        const request = (args.contextValue as { request?: Request }).request;
        const transport: SubscriptionTransport = request ? 'sse' : 'ws';
        return {
          onSubscribeResult({ result, setResult }) {
            if (!(Symbol.asyncIterator in result)) return;
            metrics?.activeSubscriptions.inc({ transport });
            const stream = new EndableStream(result, () => {
              open.delete(stream);
              metrics?.activeSubscriptions.dec({ transport });
            });
            open.add(stream);
            setResult(stream as typeof result);
            if (ending) stream.end();
          },
        };
      },
    },
    async endAll() {
      ending = true;
      for (const stream of [...open]) stream.end();
      // graphql-ws and Yoga's SSE writer react to the end in promise callbacks: let them run
      // (and write their Complete message / complete event) before anything closes a socket.
      await new Promise((resolve) => setImmediate(resolve));
    },
    count: () => open.size,
  };
}

/**
 * An async iterator that can be ended from outside, even while its consumer waits for the next
 * item: the wait resolves at once (with `last`, if given, and then done), and the source is
 * returned (which releases its feed).
 */
export class EndableStream<T> implements AsyncIterableIterator<T> {
  readonly #source: AsyncIterator<T>;
  readonly #onEnd: () => void;
  readonly #waiting = new Set<(result: IteratorResult<T>) => void>();
  #ended = false;
  #last: { value: T } | undefined;

  constructor(source: AsyncIterable<T>, onEnd: () => void) {
    this.#source = source[Symbol.asyncIterator]();
    this.#onEnd = onEnd;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#ended) return Promise.resolve(this.#lastOrDone());
    return new Promise((resolve, reject) => {
      this.#waiting.add(resolve);
      this.#source.next().then(
        (result) => {
          if (!this.#waiting.delete(resolve)) return;
          if (result.done) this.#finish();
          resolve(result);
        },
        (error: unknown) => {
          if (!this.#waiting.delete(resolve)) return;
          this.#finish();
          reject(error);
        },
      );
    });
  }

  async return(): Promise<IteratorResult<T>> {
    this.#last = undefined;
    this.end();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** Ends the stream; `last`, if given, is the one item its consumer still gets. */
  end(...last: [] | [T]): void {
    if (this.#ended) return;
    if (last.length > 0) this.#last = { value: last[0] as T };
    this.#finish();
    for (const resolve of this.#waiting) resolve(this.#lastOrDone());
    this.#waiting.clear();
    Promise.resolve(this.#source.return?.()).catch(() => {});
  }

  #lastOrDone(): IteratorResult<T> {
    const last = this.#last;
    this.#last = undefined;
    return last ? { done: false, value: last.value } : { done: true, value: undefined };
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
  }
}
