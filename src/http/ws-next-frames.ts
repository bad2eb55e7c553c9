import type { ExecutionResult } from 'graphql';
import type { Context, OperationResult } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { isAsyncIterable } from 'graphql-yoga';
import type { WebSocket } from 'ws';

/**
 * A subscription's results, written to its WebSocket as graphql-ws `next` frames whose payload is
 * serialized once per result rather than once per subscriber.
 *
 * Subscribers of one audience receive the very same result object for each live item (see
 * shared-subscription-events.ts); graphql-ws would serialize it again inside each subscriber's
 * own message. Here the result's JSON is kept with the result (weakly: it goes when the result
 * goes) and each subscriber's frame is that JSON with its own id around it.
 *
 * `JSON.rawJSON` cannot carry it: it only takes primitive JSON (a number, a string...), never an
 * object, so a pre-serialized payload cannot sit inside a message that graphql-ws stringifies.
 * Instead graphql-ws is handed, through its `onOperation` hook, a stream that sends each frame
 * itself and yields nothing; graphql-ws still sends the `complete` or `error` that ends the
 * operation, and still returns the stream when the client completes it or leaves.
 */
export interface NextPayloads {
  /** The payload of a `next` message for this result, exactly as graphql-ws would write it. */
  of(result: ExecutionResult): string;
}

/**
 * graphql-ws's `onOperation` hook for one WebSocket server (it owns the memory of serialized
 * results): a subscription's stream is replaced by one that sends its frames itself.
 */
export function sendNextFramesOnce() {
  const payloads = nextPayloads();
  return (
    ctx: Context<Record<string, unknown> | undefined, Extra>,
    id: string,
    _payload: unknown,
    _args: unknown,
    result: OperationResult,
  ) =>
    isAsyncIterable<ExecutionResult>(result)
      ? sendAsNextFrames(result, id, ctx.extra.socket, payloads)
      : undefined;
}

/** One memory of serialized results, for one WebSocket server. */
export function nextPayloads(): NextPayloads {
  const serialized = new WeakMap<ExecutionResult, string>();
  return {
    of(result) {
      let json = serialized.get(result);
      if (json === undefined) {
        json = payloadJson(result);
        serialized.set(result, json);
      }
      return json;
    },
  };
}

/** graphql-ws's own form (server `emit.next`): the result's fields, then its errors if any. */
function payloadJson({ errors, ...withoutErrors }: ExecutionResult): string {
  return JSON.stringify({
    ...withoutErrors,
    ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}),
  });
}

/** graphql-ws's message `{ id, type: 'next', payload }`, in its key order, around a payload's JSON. */
export function nextMessage(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

type Frames = AsyncGenerator<never, undefined, unknown>;

/**
 * For graphql-ws's `onOperation`: a stream that sends each result of `results` as a `next` frame
 * on `socket`, waiting for each to be written (as graphql-ws does), and ends when they end.
 */
export function sendAsNextFrames(
  results: AsyncIterable<ExecutionResult>,
  id: string,
  socket: WebSocket,
  payloads: NextPayloads,
): Frames {
  const source = results[Symbol.asyncIterator]();
  let returned = false;
  const send = (message: string) =>
    new Promise<void>((resolve, reject) => {
      // As graphql-ws's `ws` adapter: a closed socket's frames go nowhere, without an error.
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(message, (error) => (error ? reject(error) : resolve()));
    });
  const frames: Frames = {
    async next() {
      try {
        for (;;) {
          const step = await source.next();
          if (step.done || returned) return { done: true, value: undefined };
          await send(nextMessage(id, payloads.of(step.value)));
        }
      } catch (error) {
        // graphql-ws reports the error and forgets the operation, as when its own loop fails; a
        // for-await would have returned the source, so this does.
        returned = true;
        await source.return?.();
        throw error;
      }
    },
    async return() {
      returned = true;
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      returned = true;
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return frames;
    },
    async [Symbol.asyncDispose]() {
      await frames.return(undefined);
    },
  };
  return frames;
}
