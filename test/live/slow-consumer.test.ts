import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DeliveriesDocument, DeliveryAttemptsDocument, EmitEventDocument } from '@hookline/client';
import type { Db } from '../../src/db/database.ts';
import { type FeedKind, LiveEnd, LiveFeeds } from '../../src/pubsub/live-feed.ts';
import type { AttemptNotice, Notices } from '../../src/pubsub/notices.ts';
import { createInProcessNotifier, type Notifier } from '../../src/pubsub/notifier.ts';
import { SlowConsumerError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { collect, mapItems, openGraphqlWs, subscribersToBe } from '../support/live.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * A subscriber that does not read must not hold up anyone else, nor make the server buffer
 * without bound. Nothing here depends on timing: the unit part drives the feed notice by notice,
 * and the end-to-end part emits one event at a time, each only once the reading subscriber has
 * its attempt, until the stalled one has been ended.
 */
const logger = createLogger({ level: 'silent' });

// ---------------------------------------------------------------------------------------------
// The live feed on its own, over the in-process notifier (the one embedded mode uses).

/** The in-process notifier delivers without touching the database it is given. */
const NO_DATABASE = undefined as unknown as Db;

function attemptNotice(n: number, organizationId = 'org_a'): AttemptNotice {
  return {
    organizationId,
    attemptId: `att_${n}`,
    deliveryId: `dlv_${n}`,
    webhookId: 'whk_1',
    agentId: null,
    eventType: 'PRE_CONVERSATION',
  };
}

/** The filter of these tests' feeds: a predicate on the notice. */
type Matches = (notice: AttemptNotice) => boolean;
type TestFeed = FeedKind<AttemptNotice, string, Matches>;

/** A feed of the given name and load, that nobody here resumes. */
function testFeed(name: string, load: TestFeed['load']): TestFeed {
  return {
    name,
    select: (notices: Notices) => notices.attempts ?? [],
    matches: (matches, notice) => matches(notice),
    load,
    positionOf: (item) => item,
    keyOf: (item) => item,
    versionOf: (item) => item,
    positionAt: () => '',
    timeOf: () => undefined,
    isOwn: async () => false,
    readAfter: async () => [],
    countAfter: async () => 0,
  };
}

/** A feed whose rows are the notices themselves; it counts its loads. */
function countingFeed(): TestFeed & { loads: string[][] } {
  const loads: string[][] = [];
  const feed = testFeed('test', async (_db, notices) => {
    loads.push(notices.map((n) => n.attemptId));
    return notices.map((n) => n.attemptId);
  });
  return { ...feed, loads };
}

const feedsOn = (notifier: Notifier) => new LiveFeeds({ notifier, db: NO_DATABASE, logger });

/** The in-process notifier, with a count of its registered listeners. */
function countedNotifier(): Notifier & { listeners(): number } {
  const inner = createInProcessNotifier(logger);
  let listeners = 0;
  return {
    ...inner,
    listen(listener) {
      listeners++;
      const stop = inner.listen(listener);
      return () => {
        listeners--;
        stop();
      };
    },
    listeners: () => listeners,
  };
}

const publish = (notifier: Notifier, ...attempts: AttemptNotice[]) =>
  notifier.publish(NO_DATABASE, { attempts });

describe('live feed', () => {
  test('a subscriber that never reads is ended with SLOW_CONSUMER once its buffer is full; the reading one gets everything; each notice is loaded once', async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const feed = countingFeed();
    const options = { organizationId: 'org_a', filter: () => true, bufferSize: 5 };
    const stalled = await feeds.subscribe(feed, options);
    const reading = await feeds.subscribe(feed, options);
    assert.equal(notifier.listeners(), 1, 'one listener per feed, not per subscriber');

    const received: unknown[] = [];
    for (let n = 1; n <= 12; n++) {
      await publish(notifier, attemptNotice(n));
      const next = await reading.next();
      received.push(next.value);
      // The stalled one holds at most 5; the 6th ends it.
      assert.equal(feeds.subscriberCount, n <= 5 ? 2 : 1, `after notice ${n}`);
    }
    assert.deepEqual(
      received,
      Array.from({ length: 12 }, (_, i) => `att_${i + 1}`),
    );
    assert.deepEqual(
      feed.loads,
      Array.from({ length: 12 }, (_, i) => [`att_${i + 1}`]),
      'one load per notice, shared by both subscribers while both were there',
    );

    // What it had buffered was dropped; it learns why, then it is over.
    const last = await stalled.next();
    assert.ok(last.value instanceof LiveEnd && last.value.error instanceof SlowConsumerError);
    assert.equal(last.value.error.code, 'SLOW_CONSUMER');
    assert.match(last.value.error.message, /fell behind/);
    assert.deepEqual(await stalled.next(), { done: true, value: undefined });

    await reading.return?.();
    assert.equal(feeds.subscriberCount, 0);
    assert.equal(notifier.listeners(), 0, 'the feed stops listening with its last subscriber');
  });

  test('notices nobody wants cost no load; other organizations are never routed', async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const feed = countingFeed();
    const mine = await feeds.subscribe(feed, {
      organizationId: 'org_a',
      filter: (notice) => notice.attemptId !== 'att_2',
      bufferSize: 10,
    });
    await publish(notifier, attemptNotice(1, 'org_b'));
    await publish(notifier, attemptNotice(2));
    await publish(notifier, attemptNotice(3), attemptNotice(4, 'org_b'));
    assert.deepEqual(await mine.next(), { done: false, value: 'att_3' });
    assert.deepEqual(feed.loads, [['att_3']]);
    await mine.return?.();
  });

  test("another organization's notices never reach a subscriber's filter", async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const feed = countingFeed();
    const consulted: string[] = [];
    const other = await feeds.subscribe(feed, {
      organizationId: 'org_b',
      filter: (notice) => {
        consulted.push(notice.attemptId);
        return true;
      },
      bufferSize: 10,
    });
    const mine = await feeds.subscribe(feed, {
      organizationId: 'org_a',
      filter: () => true,
      bufferSize: 10,
    });
    await publish(notifier, attemptNotice(1), attemptNotice(2));
    await publish(notifier, attemptNotice(3, 'org_b'));
    assert.deepEqual(await mine.next(), { done: false, value: 'att_1' });
    assert.deepEqual(await mine.next(), { done: false, value: 'att_2' });
    assert.deepEqual(await other.next(), { done: false, value: 'att_3' });
    assert.deepEqual(consulted, ['att_3'], "org_a's notices were never matched against org_b's");
    await mine.return?.();
    await other.return?.();
    assert.equal(feeds.subscriberCount, 0);
    assert.equal(notifier.listeners(), 0);
  });

  test('return() while waiting for an item ends the wait and removes the listener', async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const waiting = await feeds.subscribe(countingFeed(), {
      organizationId: 'org_a',
      filter: () => true,
      bufferSize: 10,
    });
    const pending = waiting.next();
    await waiting.return?.();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(notifier.listeners(), 0);
    assert.equal(feeds.subscriberCount, 0);
  });

  test('items come in notice order even when a later load finishes first', async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const gates = new Map<string, () => void>();
    const feed = testFeed(
      'gated',
      (_db, notices) =>
        new Promise((resolve) => {
          gates.set(notices[0]!.attemptId, () => resolve(notices.map((n) => n.attemptId)));
        }),
    );
    const sub = await feeds.subscribe(feed, {
      organizationId: 'org_a',
      filter: () => true,
      bufferSize: 10,
    });
    await publish(notifier, attemptNotice(1));
    await publish(notifier, attemptNotice(2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...gates.keys()], ['att_1', 'att_2'], 'both loads started at once');
    gates.get('att_2')!();
    gates.get('att_1')!();
    assert.deepEqual(await sub.next(), { done: false, value: 'att_1' });
    assert.deepEqual(await sub.next(), { done: false, value: 'att_2' });
    await sub.return?.();
  });

  test('items still loading count against the buffer, so memory stays bounded when loads lag', async () => {
    const notifier = countedNotifier();
    const feeds = feedsOn(notifier);
    const feed = testFeed('never loads', () => new Promise(() => {}));
    const sub = await feeds.subscribe(feed, {
      organizationId: 'org_a',
      filter: () => true,
      bufferSize: 2,
    });
    const waiting = sub.next();
    await publish(notifier, attemptNotice(1), attemptNotice(2), attemptNotice(3));
    const ended = await waiting;
    assert.ok(ended.value instanceof LiveEnd && ended.value.error instanceof SlowConsumerError);
    assert.deepEqual(await sub.next(), { done: true, value: undefined });
    assert.equal(notifier.listeners(), 0);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: a graphql-ws client that stops reading its socket, beside one that reads.

const BUFFER = 5;
/** Far more than socket buffers plus the subscription's buffer can hold (see below). */
const MAX_EVENTS = 80;

let server: TestServer;
let receiver: Receiver;

describe('a stalled graphql-ws subscriber', () => {
  before(async () => {
    server = await startTestServer('live_slow_consumer', {
      HOOKLINE_SUBSCRIPTION_BUFFER: String(BUFFER),
    });
    // A 60 KB response body, selected 64 times by the stalled subscriber: each of its messages
    // is about 4 MB, so the kernel's socket buffers fill after a few, and from then on the
    // server's send waits, the subscription is not read, and its buffer fills. Random, so that
    // WebSocket compression, if it were ever enabled, could not shrink it.
    const body = randomBytes(45_000).toString('base64');
    receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
    });
  });
  after(async () => {
    await receiver?.close();
    await server?.stop();
  });

  test('is ended with SLOW_CONSUMER; the reading subscriber gets every attempt; every delivery succeeds', async (t) => {
    const { client, apiKey } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, receiver.url);
    const feeds = server.hookline.runtime.liveFeeds;

    const socket = openGraphqlWs(server.url);
    const messages: Array<{ id?: string; type: string; payload?: unknown }> = [];
    let onMessage = () => {};
    socket.on('message', (data) => {
      messages.push(JSON.parse(data.toString()));
      onMessage();
    });
    const nextMessage = (type: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (messages.some((m) => m.type === type)) resolve();
        };
        onMessage = check;
        check();
      });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${apiKey}` } }),
    );
    await nextMessage('connection_ack');
    const bodies = Array.from({ length: 64 }, (_, i) => `b${i}: responseBody`).join(' ');
    socket.send(
      JSON.stringify({
        id: 'stalled',
        type: 'subscribe',
        payload: {
          query: `subscription Stalled($webhookId: ID) { deliveryAttempts(webhookId: $webhookId) { id ${bodies} } }`,
          variables: { webhookId },
        },
      }),
    );
    socket.pause(); // From now on nobody reads this socket.

    const reading = collect(
      mapItems(
        client.subscribe(DeliveryAttemptsDocument, { webhookId }),
        (d) => d.deliveryAttempts,
      ),
    );
    try {
      await subscribersToBe(feeds, 2);
      const events: string[] = [];
      while (feeds.subscriberCount === 2 && events.length < MAX_EVENTS) {
        const emitted = await client.request(EmitEventDocument, {
          input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
        });
        const eventId = emitted.emitEvent.event.id;
        events.push(eventId);
        // One at a time: the reading subscriber never has more than one item waiting.
        await reading.waitFor((a) => a.delivery.event.id === eventId, `attempt ${events.length}`);
      }
      assert.equal(feeds.subscriberCount, 1, 'the stalled subscription was ended');
      t.diagnostic(`the stalled subscriber was ended after ${events.length} events`);
      assert.ok(events.length < MAX_EVENTS);

      assert.deepEqual(
        reading.items.map((a) => a.delivery.event.id),
        events,
        'the reading subscriber got every attempt, in order',
      );
      const deliveries = await client.request(DeliveriesDocument, { webhookId, first: 100 });
      assert.equal(deliveries.deliveries.edges.length, events.length);
      for (const { node } of deliveries.deliveries.edges) {
        assert.equal(node.status, 'SUCCEEDED');
        assert.equal(node.attemptCount, 1);
      }

      // Read the stalled socket again: what was already on its way, then the error, then the
      // end of that one subscription (the connection itself stays open).
      socket.resume();
      await nextMessage('complete');
      const mine = messages.filter((m) => m.id === 'stalled');
      const nexts = mine.filter((m) => m.type === 'next') as Array<{
        payload: {
          data?: unknown;
          errors?: Array<{ message: string; extensions?: { code?: string } }>;
        };
      }>;
      const last = nexts.at(-1)!.payload;
      assert.equal(last.data ?? null, null);
      assert.equal(last.errors?.[0]?.extensions?.code, 'SLOW_CONSUMER');
      assert.match(last.errors?.[0]?.message ?? '', /fell behind/);
      assert.ok(nexts.length - 1 < events.length, 'it missed attempts instead of queueing them');
      assert.equal(mine.at(-1)?.type, 'complete');

      socket.send(JSON.stringify({ type: 'ping' }));
      await nextMessage('pong');
    } finally {
      socket.close();
      await reading.stop();
    }
    await subscribersToBe(feeds, 0);
  });
});
