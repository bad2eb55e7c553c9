import { WebSocket } from 'ws';

/**
 * Live subscribers for P, in a process of their own: a thousand WebSocket clients reading every
 * attempt would otherwise compete for the bench process's single thread with the receiver and
 * the load generator, and their cost would be charged to Hookline.
 *
 * Each client speaks the graphql-transport-ws protocol itself, on a bare `ws` socket, and only
 * counts the `next` frames it receives: the bench measures what subscribers cost Hookline, so
 * the clients do as little as a client can (this machine's other core also runs PostgreSQL).
 *
 * Run as `node bench/subscribers.ts <url> <targets>`, where targets is the JSON of
 * `[{ apiKey, webhookId, count }]` (count clients per organization's webhook): prints `ready`
 * once every client is connected and subscribed, then the number of attempts seen each second.
 */
const TAIL = `subscription Tail($webhookId: ID) { deliveryAttempts(webhookId: $webhookId) { id attemptNumber responseStatus } }`;
const NEXT = Buffer.from('"type":"next"');

function connect(url: string, apiKey: string, webhookId: string, onNext: () => void) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const subscribed = new Promise<void>((resolve, reject) => {
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${apiKey}` } }),
      ),
    );
    socket.once('error', reject);
    socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
    socket.on('message', (data: Buffer) => {
      if (data.includes(NEXT)) return onNext();
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: TAIL, variables: { webhookId } },
          }),
        );
        resolve();
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'error') {
        console.error('subscriber error', JSON.stringify(message));
      }
    });
  });
  return { socket, subscribed };
}

export interface SubscriberTarget {
  apiKey: string;
  webhookId: string;
  count: number;
}

export async function attach(url: string, targets: readonly SubscriberTarget[]) {
  let seen = 0;
  const clients = targets.flatMap(({ apiKey, webhookId, count }) =>
    Array.from({ length: count }, () =>
      connect(url, apiKey, webhookId, () => {
        seen++;
      }),
    ),
  );
  await Promise.all(clients.map((client) => client.subscribed));
  const count = clients.length;
  // The protocol does not acknowledge a subscribe: give the server a moment to register them.
  await new Promise((resolve) => setTimeout(resolve, 300 + count));
  return {
    seen: () => seen,
    async detach() {
      await Promise.all(
        clients.map(
          ({ socket }) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.removeAllListeners('close');
              socket.once('close', () => resolve());
              socket.close(1000);
            }),
        ),
      );
    },
  };
}

if (import.meta.main) {
  const [url, targets] = process.argv.slice(2);
  const attached = await attach(url!, JSON.parse(targets!) as SubscriberTarget[]);
  process.stdout.write('ready\n');
  const report = setInterval(() => process.stdout.write(`${attached.seen()}\n`), 1_000);
  process.once('SIGTERM', async () => {
    clearInterval(report);
    await attached.detach();
    process.exit(0);
  });
}
