import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeliveryUpdatedDocument, type DeliveryUpdatedSubscription } from '@hookline/client';
import { eventually } from '../support/assertions.ts';
import {
  type SseResult,
  type SseSubscription,
  sseSubscribe,
  subscribersToBe,
} from '../support/live.ts';
import { RawGraphqlWs } from '../support/raw.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The caps on live connections, with small settings: at most 3 operations open at once on one
 * WebSocket (one more closes it with 4429), and at most 2 live connections per key in a process,
 * WebSockets and SSE streams counted together (a WebSocket over the cap is closed with 4429, an
 * SSE stream refused with RATE_LIMITED and 429). A connection that ends frees its place.
 */
let server: TestServer;
const sockets: RawGraphqlWs[] = [];
const streams: SseSubscription<DeliveryUpdatedSubscription>[] = [];

before(async () => {
  server = await startTestServer('security_caps', {
    HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
    HOOKLINE_MAX_CONNECTIONS_PER_KEY: '2',
  });
});
after(async () => {
  for (const socket of sockets) socket.close();
  for (const stream of streams) stream.close();
  await server.stop();
});

const SUBSCRIPTION = 'subscription { deliveryUpdated { id status } }';

async function connect(apiKey: string): Promise<RawGraphqlWs> {
  const socket = await RawGraphqlWs.connect(server.url, apiKey);
  sockets.push(socket);
  return socket;
}

async function stream(apiKey: string): Promise<SseSubscription<DeliveryUpdatedSubscription>> {
  const opened = await sseSubscribe(server.url, apiKey, DeliveryUpdatedDocument, {});
  streams.push(opened);
  return opened;
}

describe('caps on live connections', () => {
  test('one operation over the cap closes its WebSocket with 4429; the socket’s subscriptions end', async () => {
    const { apiKey } = await server.newOrganization();
    const liveFeeds = server.hookline.runtime.liveFeeds;
    const already = liveFeeds.subscriberCount;
    const socket = await connect(apiKey);
    for (let i = 0; i < 3; i++) socket.subscribe(SUBSCRIPTION);
    await subscribersToBe(liveFeeds, already + 3);

    socket.subscribe(SUBSCRIPTION);
    const closed = await socket.closed;
    assert.equal(closed.code, 4429);
    assert.match(closed.reason, /Too many subscriptions on this connection \(at most 3\)/);
    await subscribersToBe(liveFeeds, already);

    // The cap is per socket: a new one starts from nothing.
    const fresh = await connect(apiKey);
    assert.ok(fresh.isOpen);
    assert.deepEqual((await fresh.run('{ __typename }')).results[0]?.data, { __typename: 'Query' });
  });

  test('a key holds at most 2 live connections, WebSockets and SSE streams together', async () => {
    const { apiKey } = await server.newOrganization();
    const other = await server.newOrganization('Other');
    const first = await connect(apiKey);
    const sse = await stream(apiKey);
    assert.equal(sse.status, 200);
    assert.ok(first.isOpen);

    const third = await connect(apiKey);
    const refused = await third.closed;
    assert.equal(refused.code, 4429);
    assert.match(refused.reason, /Too many connections for this API key \(at most 2\)/);

    const overSse = await stream(apiKey);
    assert.equal(overSse.status, 429);
    const result = (await overSse.results.next()).value as SseResult<unknown> | undefined;
    const error = result?.errors?.[0];
    assert.equal(error?.extensions?.code, 'RATE_LIMITED');
    assert.equal(error?.extensions?.limit, 'connectionsPerKey');
    assert.equal(error?.extensions?.max, 2);
    assert.match(error?.message ?? '', /Too many live connections/);
    assert.equal(error?.extensions?.http, undefined, 'internals stay inside');

    // Another key is not affected.
    assert.ok((await connect(other.apiKey)).isOpen);
    assert.equal((await stream(other.apiKey)).status, 200);

    // The first connections still work...
    assert.deepEqual((await first.run('{ __typename }')).results[0]?.data, { __typename: 'Query' });
    // ...and each frees its place when it ends: the server hears of it a moment later.
    first.close();
    const replacement = await eventually(
      async () => {
        const socket = await connect(apiKey);
        return socket.isOpen ? socket : undefined;
      },
      { message: 'a WebSocket in the closed one’s place' },
    );
    assert.ok(replacement.isOpen);
    sse.close();
    const sseReplacement = await eventually(
      async () => {
        const opened = await stream(apiKey);
        if (opened.status === 200) return opened;
        opened.close();
        return undefined;
      },
      { message: 'an SSE stream in the closed one’s place' },
    );
    assert.equal(sseReplacement.status, 200);
  });
});
