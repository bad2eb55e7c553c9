import { createClient as createWsClient } from 'graphql-ws';

/**
 * Live subscribers for P, in a process of their own: a thousand WebSocket clients parsing every
 * attempt would otherwise compete for the bench process's single thread with the receiver and
 * the load generator, and their cost would be charged to Hookline.
 *
 * Run as `node bench/subscribers.ts <url> <apiKey> <webhookId> <count>`: prints `ready` once
 * every client is connected and subscribed, then the number of attempts seen each second.
 */
const TAIL = `subscription Tail($webhookId: ID) { deliveryAttempts(webhookId: $webhookId) { id attemptNumber responseStatus } }`;

export async function attach(url: string, apiKey: string, webhookId: string, count: number) {
  let seen = 0;
  const clients = Array.from({ length: count }, () =>
    createWsClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      connectionParams: { authorization: `Bearer ${apiKey}` },
      lazy: false,
    }),
  );
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve, reject) => {
          const off = client.on('connected', () => {
            off();
            resolve();
          });
          client.on('error', reject);
        }),
    ),
  );
  const disposers = clients.map((client) =>
    client.subscribe(
      { query: TAIL, variables: { webhookId } },
      {
        next: () => {
          seen++;
        },
        error: (error) => console.error('subscriber error', error),
        complete: () => {},
      },
    ),
  );
  // graphql-ws does not acknowledge a subscribe: give the server a moment to register them.
  await new Promise((resolve) => setTimeout(resolve, 300 + count));
  return {
    seen: () => seen,
    async detach() {
      for (const dispose of disposers) dispose();
      await Promise.all(clients.map((client) => client.dispose()));
    },
  };
}

if (import.meta.main) {
  const [url, apiKey, webhookId, count] = process.argv.slice(2);
  const attached = await attach(url!, apiKey!, webhookId!, Number(count));
  process.stdout.write('ready\n');
  const report = setInterval(() => process.stdout.write(`${attached.seen()}\n`), 1_000);
  process.once('SIGTERM', async () => {
    clearInterval(report);
    await attached.detach();
    process.exit(0);
  });
}
