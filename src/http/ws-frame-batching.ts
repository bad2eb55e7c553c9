import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

/** Below this many unsent bytes, a frame counts as sent the moment it is queued. */
const EARLY_ACK_BYTES = 64 * 1024;

/** A socket that wrote less than this long ago gathers its next frames until this much has passed. */
const FRAME_GATHER_MS = 20;

type SendCallback = (error?: Error) => void;

/**
 * Frames sent to one client leave together: those of one turn of the event loop in one write,
 * and, while frames keep coming, at most one write per client every FRAME_GATHER_MS.
 *
 * A settlement batch publishes many attempts at once, and each subscriber receives each as its
 * own frame: written one by one, that is one system call per frame per subscriber (and a system
 * call here costs tens of microseconds). With a hundred subscribers those writes were the largest
 * part of what a delivery cost. So a client's socket is corked at its first frame and uncorked
 * at the end of the turn if the client has been quiet for FRAME_GATHER_MS, or else once that
 * much time has passed since its last write: a dashboard sees an event at once, and a busy feed
 * costs each subscriber a bounded number of writes a second, however many events it carries.
 *
 * graphql-ws waits for each frame's write callback before it pulls the subscription's next
 * item, and a corked write calls back only once uncorked, which would hold every subscription
 * to one frame per write. So while the client's unsent bytes are few, a frame is acknowledged as
 * soon as it is queued. Once they pile up (a client that does not read), frames wait for their
 * real write again: graphql-ws stops pulling, and the live feed's bounded buffer ends that
 * subscriber with SLOW_CONSUMER, as before.
 */
export function batchFrameWrites(wss: WebSocketServer): void {
  const flusher = gatheredFlushes();
  wss.on('connection', (websocket, request) => batchSocket(websocket, request.socket, flusher));
}

interface Flusher {
  /** Runs `flush` at the end of this turn, or with the next gathered flush if `recent`. */
  schedule(flush: () => void, recent: boolean): void;
}

/** One timer for every client's gathered frames, rather than a timer per client. */
function gatheredFlushes(): Flusher {
  let thisTurn: Array<() => void> = [];
  let gathered: Array<() => void> = [];
  const run = (flushes: Array<() => void>) => {
    for (const flush of flushes) flush();
  };
  return {
    schedule(flush, recent) {
      if (recent) {
        if (gathered.length === 0) {
          setTimeout(() => {
            const due = gathered;
            gathered = [];
            run(due);
          }, FRAME_GATHER_MS);
        }
        gathered.push(flush);
      } else {
        if (thisTurn.length === 0) {
          setImmediate(() => {
            const due = thisTurn;
            thisTurn = [];
            run(due);
          });
        }
        thisTurn.push(flush);
      }
    },
  };
}

function batchSocket(websocket: WebSocket, socket: Socket, flusher: Flusher): void {
  const send = websocket.send.bind(websocket) as (...args: unknown[]) => void;
  let corked = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  const uncork = () => {
    corked = false;
    lastWrite = performance.now();
    socket.uncork();
  };
  websocket.send = ((...args: unknown[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      flusher.schedule(uncork, performance.now() - lastWrite < FRAME_GATHER_MS);
    }
    const last = args.at(-1);
    if (typeof last !== 'function' || socket.writableLength >= EARLY_ACK_BYTES) {
      send(...args);
      return;
    }
    const callback = last as SendCallback;
    let acknowledged = false;
    send(...args.slice(0, -1), (error?: Error) => {
      // A failed write closes the socket, which ends its subscriptions; a frame already
      // acknowledged has nobody left to tell.
      if (!acknowledged) callback(error);
    });
    acknowledged = true;
    queueMicrotask(() => callback());
  }) as typeof websocket.send;
}
