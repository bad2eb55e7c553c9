import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

/** Below this many unsent bytes, a frame counts as sent the moment it is queued. */
const EARLY_ACK_BYTES = 64 * 1024;

type SendCallback = (error?: Error) => void;

/**
 * Frames sent to one client within one turn of the event loop leave in one write.
 *
 * A settlement batch publishes many attempts at once, and each subscriber receives each as its
 * own frame: written one by one, that is one system call per frame per subscriber (and a
 * system call here costs tens of microseconds). So each client's socket is corked at its first frame of a
 * turn and uncorked once the turn is over.
 *
 * graphql-ws waits for each frame's write callback before it pulls the subscription's next
 * item, and a corked write calls back only once uncorked, which would hold every subscription
 * to one frame per turn. So while the client's unsent bytes are few, a frame is acknowledged as
 * soon as it is queued. Once they pile up (a client that does not read), frames wait for their
 * real write again: graphql-ws stops pulling, and the live feed's bounded buffer ends that
 * subscriber with SLOW_CONSUMER, as before.
 */
export function batchFrameWrites(wss: WebSocketServer): void {
  wss.on('connection', (websocket, request) => batchSocket(websocket, request.socket));
}

function batchSocket(websocket: WebSocket, socket: Socket): void {
  const send = websocket.send.bind(websocket) as (...args: unknown[]) => void;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  websocket.send = ((...args: unknown[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
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
