import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  DeliveryAttemptsDocument,
  type DeliveryAttemptsSubscription,
  DeliveryUpdatedDocument,
  type DeliveryUpdatedSubscription,
  EmitEventDocument,
  type EventType,
  type HooklineClient,
  HooklineRequestError,
} from '@hookline/client';
import { parse } from 'graphql';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import {
  type Collector,
  closed,
  collect,
  mapItems,
  openGraphqlWs,
  sseSubscribe,
  subscribersToBe,
} from '../support/live.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

/**
 * The live feeds end to end: a real server, real receivers, subscribers over graphql-ws (the
 * typed client) and over SSE (plain fetch). Before emitting, a test waits until the server has
 * registered its subscribers, so "emitted after it subscribed" holds without sleeping; to show
 * that something did NOT arrive, it relies on the feed's order: once a later item has arrived,
 * an earlier one can no longer come.
 */
type Attempt = DeliveryAttemptsSubscription['deliveryAttempts'];
type DeliveryUpdate = DeliveryUpdatedSubscription['deliveryUpdated'];

let server: TestServer;
const receivers: Receiver[] = [];
const receiver = async (...args: Parameters<typeof startReceiver>) => {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
};

before(async () => {
  server = await startTestServer('live_subscriptions', { HOOKLINE_RETRY_SCHEDULE: '0.2,0.2' });
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await server.stop();
});

const liveFeeds = () => server.hookline.runtime.liveFeeds;

async function emit(client: HooklineClient, agentId: string, type: EventType): Promise<string> {
  const payload = type === 'PRE_CONVERSATION' ? preConversation() : analyticsCompleted();
  return (await client.request(EmitEventDocument, { input: { agentId, type, payload } })).emitEvent
    .event.id;
}

function attempts(
  client: HooklineClient,
  variables: { webhookId?: string; agentId?: string; eventType?: EventType } = {},
): Collector<Attempt> {
  return collect(
    mapItems(client.subscribe(DeliveryAttemptsDocument, variables), (d) => d.deliveryAttempts),
  );
}

function updates(
  client: HooklineClient,
  variables: { webhookId?: string; status?: DeliveryUpdate['status'] },
): Collector<DeliveryUpdate> {
  return collect(
    mapItems(client.subscribe(DeliveryUpdatedDocument, variables), (d) => d.deliveryUpdated),
  );
}

const forEvent = (eventId: string) => (a: Attempt) => a.delivery.event.id === eventId;

describe('deliveryAttempts', () => {
  test('over graphql-ws: an attempt of an event emitted after subscribing arrives, with its webhook and event; unsubscribing removes the listener', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const feed = attempts(client);
    try {
      await subscribersToBe(liveFeeds(), 1);
      const eventId = await emit(client, agentId, 'PRE_CONVERSATION');
      const attempt = await feed.waitFor(forEvent(eventId), 'the attempt');
      assert.match(attempt.id, /^att_/);
      assert.equal(attempt.attemptNumber, 1);
      assert.equal(attempt.responseStatus, 200);
      assert.equal(attempt.errorKind, null);
      assert.ok(attempt.durationMs >= 0);
      assert.ok(!Number.isNaN(Date.parse(attempt.startedAt)));
      assert.equal(attempt.delivery.webhook.id, webhookId);
      assert.equal(attempt.delivery.event.type, 'PRE_CONVERSATION');
      assert.equal(attempt.delivery.event.agent?.id, agentId);
      assert.equal(attempt.delivery.status, 'SUCCEEDED', 'the same commit recorded the outcome');
    } finally {
      await feed.stop();
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test('over SSE: the same, read from text/event-stream; disconnecting removes the listener', async () => {
    const r = await receiver();
    const { client, apiKey } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const sse = await sseSubscribe(server.url, apiKey, DeliveryAttemptsDocument, { webhookId });
    try {
      assert.equal(sse.status, 200);
      assert.match(sse.contentType ?? '', /^text\/event-stream/);
      await subscribersToBe(liveFeeds(), 1);
      const eventId = await emit(client, agentId, 'ANALYTICS_COMPLETED');
      const first = await sse.results.next();
      assert.equal(first.done, false);
      assert.equal(first.value?.errors, undefined);
      const attempt = first.value?.data?.deliveryAttempts;
      assert.equal(attempt?.delivery.event.id, eventId);
      assert.equal(attempt?.delivery.event.type, 'ANALYTICS_COMPLETED');
      assert.equal(attempt?.delivery.webhook.id, webhookId);
      assert.equal(attempt?.responseStatus, 200);
    } finally {
      sse.close();
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test('webhookId, agentId and eventType each let through only matching attempts', async () => {
    const r1 = await receiver();
    const r2 = await receiver();
    const { client } = await server.newOrganization();
    // Agent A → webhook 1 (both types). Agent B → webhook 2 (both types) and webhook 1
    // (ANALYTICS_COMPLETED only), so that one last event matches every filter below.
    const a = await agentWithWebhook(client, r1.url);
    const w1 = a.webhookId;
    const agentB = (await client.request(CreateAgentDocument, { input: { name: 'Sales' } }))
      .createAgent.agent.id;
    const w2 = (await client.request(CreateWebhookDocument, { input: { url: r2.url } }))
      .createWebhook.webhook.id;
    for (const [webhookId, events] of [
      [w2, ['PRE_CONVERSATION', 'ANALYTICS_COMPLETED']],
      [w1, ['ANALYTICS_COMPLETED']],
    ] as const) {
      await client.request(AttachWebhookDocument, {
        input: { webhookId, agentId: agentB, events: [...events] },
      });
    }

    const filters = {
      webhook: {
        variables: { webhookId: w1 },
        matches: (x: Attempt) => x.delivery.webhook.id === w1,
      },
      agent: {
        variables: { agentId: agentB },
        matches: (x: Attempt) => x.delivery.event.agent?.id === agentB,
      },
      eventType: {
        variables: { eventType: 'ANALYTICS_COMPLETED' as const },
        matches: (x: Attempt) => x.delivery.event.type === 'ANALYTICS_COMPLETED',
      },
    };
    const everything = attempts(client);
    const filtered = Object.fromEntries(
      Object.entries(filters).map(([name, f]) => [name, attempts(client, f.variables)]),
    ) as Record<keyof typeof filters, Collector<Attempt>>;
    const all = [everything, ...Object.values(filtered)];
    try {
      await subscribersToBe(liveFeeds(), all.length);
      // Each of these fails at least one filter, and each filter lets one of them through.
      const events = [
        await emit(client, a.agentId, 'PRE_CONVERSATION'), // webhook 1
        await emit(client, agentB, 'PRE_CONVERSATION'), // webhook 2
        await emit(client, a.agentId, 'ANALYTICS_COMPLETED'), // webhook 1
      ];
      for (const eventId of events) await everything.waitFor(forEvent(eventId), 'an attempt');
      // Emitted after every attempt above was handed out: once a subscriber has its attempt to
      // webhook 1, nothing from before can still be on its way.
      const last = await emit(client, agentB, 'ANALYTICS_COMPLETED');
      const lastToW1 = (x: Attempt) => forEvent(last)(x) && x.delivery.webhook.id === w1;
      await everything.waitFor(lastToW1, 'the last attempt to webhook 1');
      await everything.waitFor(
        (x) => forEvent(last)(x) && x.delivery.webhook.id === w2,
        'the last attempt to webhook 2',
      );
      assert.equal(everything.items.length, 5, 'three events to one webhook, one to two');

      for (const [name, f] of Object.entries(filters)) {
        const feed = filtered[name as keyof typeof filters];
        await feed.waitFor(lastToW1, `the last attempt on the ${name} filter`);
        const expected = everything.items.filter(f.matches).map((x) => x.id);
        assert.ok(expected.length < everything.items.length, `${name} excludes something`);
        // The attempt to webhook 2 of the last event may come before or after the one to
        // webhook 1 (separate commits); compare as sets, with it included where it belongs.
        const lastToW2 = everything.items.find(
          (x) => forEvent(last)(x) && x.delivery.webhook.id === w2,
        )!;
        if (f.matches(lastToW2)) await feed.waitFor((x) => x.id === lastToW2.id, 'the other last');
        assert.deepEqual(
          feed.items.map((x) => x.id).sort(),
          expected.sort(),
          `${name} got exactly the matching attempts`,
        );
      }
    } finally {
      await Promise.all(all.map((feed) => feed.stop()));
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test('subscribers asking the same thing all get it; one asking less gets only that', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    // Events are executed once per operation, variables and organization, and the result handed
    // to every subscriber of that audience: the others must still get their own shape.
    const slimDocument = parse(
      'subscription Slim { deliveryAttempts { id } }',
    ) as TypedDocumentNode<{ deliveryAttempts: { id: string } }, Record<string, never>>;
    const same = Array.from({ length: 5 }, () => attempts(client, { webhookId }));
    const unfiltered = attempts(client);
    const slim = collect(mapItems(client.subscribe(slimDocument, {}), (d) => d.deliveryAttempts));
    try {
      await subscribersToBe(liveFeeds(), 7);
      const eventId = await emit(client, agentId, 'PRE_CONVERSATION');
      const received = await Promise.all(
        [...same, unfiltered].map((feed) => feed.waitFor(forEvent(eventId), 'the attempt')),
      );
      for (const item of received) assert.deepEqual(item, received[0]);
      assert.equal(received[0]!.delivery.webhook.id, webhookId);
      const slimItem = await slim.waitFor((a) => a.id === received[0]!.id, 'the slim attempt');
      assert.deepEqual(slimItem, { id: received[0]!.id });
    } finally {
      await Promise.all([...same, unfiltered, slim].map((feed) => feed.stop()));
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test("another organization's subscriber never sees this one's attempts", async () => {
    const r = await receiver();
    const first = await server.newOrganization('First');
    const second = await server.newOrganization('Second');
    const one = await agentWithWebhook(first.client, r.url);
    const two = await agentWithWebhook(second.client, r.url);
    const firstFeed = attempts(first.client);
    // Even naming the first organization's webhook as a filter does not let it through.
    const secondFeeds = [
      attempts(second.client),
      attempts(second.client, { webhookId: one.webhookId }),
    ];
    try {
      await subscribersToBe(liveFeeds(), 3);
      const ofFirst = [
        await emit(first.client, one.agentId, 'PRE_CONVERSATION'),
        await emit(first.client, one.agentId, 'ANALYTICS_COMPLETED'),
      ];
      for (const eventId of ofFirst) await firstFeed.waitFor(forEvent(eventId), 'own attempt');
      const ofSecond = await emit(second.client, two.agentId, 'PRE_CONVERSATION');
      const [secondAll] = secondFeeds;
      await secondAll!.waitFor(forEvent(ofSecond), 'own attempt of the second');
      assert.deepEqual(
        secondAll!.items.map((x) => x.delivery.event.id),
        [ofSecond],
      );
      assert.equal(secondFeeds[1]!.items.length, 0);
      assert.ok(!firstFeed.items.some(forEvent(ofSecond)));
    } finally {
      await Promise.all([firstFeed, ...secondFeeds].map((feed) => feed.stop()));
    }
    await subscribersToBe(liveFeeds(), 0);
  });
});

describe('deliveryUpdated', () => {
  test('one delivery shows PENDING, then SUCCEEDED', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const feed = updates(client, { webhookId });
    try {
      await subscribersToBe(liveFeeds(), 1);
      const eventId = await emit(client, agentId, 'PRE_CONVERSATION');
      const done = await feed.waitFor(
        (d) => d.event.id === eventId && d.status === 'SUCCEEDED',
        'SUCCEEDED',
      );
      const history = feed.items.filter((d) => d.id === done.id);
      assert.deepEqual(
        history.map((d) => d.status),
        ['PENDING', 'SUCCEEDED'],
      );
      assert.equal(done.webhook.id, webhookId);
      assert.equal(done.event.agent?.id, agentId);
      assert.equal(done.attemptCount, 1);
    } finally {
      await feed.stop();
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test('a retry shows PENDING again; the status argument keeps only that status', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 503 : 200);
      res.end();
    });
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await agentWithWebhook(client, r.url);
    const every = updates(client, { webhookId });
    const succeeded = updates(client, { status: 'SUCCEEDED' });
    const tries = attempts(client, { webhookId });
    try {
      await subscribersToBe(liveFeeds(), 3);
      const eventId = await emit(client, agentId, 'PRE_CONVERSATION');
      const done = await every.waitFor((d) => d.status === 'SUCCEEDED', 'SUCCEEDED');
      assert.equal(done.event.id, eventId);
      assert.deepEqual(
        every.items.map((d) => d.status),
        ['PENDING', 'PENDING', 'SUCCEEDED'],
      );
      await succeeded.waitFor((d) => d.id === done.id, 'SUCCEEDED on the filtered feed');
      assert.deepEqual(
        succeeded.items.map((d) => [d.id, d.status]),
        [[done.id, 'SUCCEEDED']],
      );
      await tries.waitFor((x) => x.attemptNumber === 2, 'the second attempt');
      assert.deepEqual(
        tries.items.map((x) => [x.attemptNumber, x.responseStatus, x.errorKind]),
        [
          [1, 503, 'http_status'],
          [2, 200, null],
        ],
      );
    } finally {
      await Promise.all([every, succeeded, tries].map((feed) => feed.stop()));
    }
    await subscribersToBe(liveFeeds(), 0);
  });
});

describe('transports refuse bad keys', () => {
  test('graphql-ws: no key closes with 4401, an unknown key with 4403', async () => {
    const missing = openGraphqlWs(server.url);
    missing.on('open', () => missing.send(JSON.stringify({ type: 'connection_init' })));
    assert.equal((await closed(missing)).code, 4401);

    const unknown = openGraphqlWs(server.url);
    unknown.on('open', () =>
      unknown.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: 'Bearer hk_not_a_real_key_000000000000' },
        }),
      ),
    );
    assert.equal((await closed(unknown)).code, 4403);
  });

  test('SSE with an unknown key gets UNAUTHENTICATED and no subscription', async () => {
    const sse = await sseSubscribe(
      server.url,
      'hk_not_a_real_key_000000000000',
      DeliveryAttemptsDocument,
      {},
    );
    try {
      const first = await sse.results.next();
      assert.equal(first.value?.data ?? null, null);
      assert.equal(first.value?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal((await sse.results.next()).done, true, 'then the stream completes');
    } finally {
      sse.close();
    }
    await subscribersToBe(liveFeeds(), 0);
  });

  test('the operator key is not an organization: FORBIDDEN', async () => {
    const operator = server.client(TEST_ADMIN_KEY);
    const feed = attempts(operator);
    await feed.waitForEnd('the refusal');
    assert.ok(feed.error instanceof HooklineRequestError);
    assert.equal(feed.error.code, 'FORBIDDEN');
    await subscribersToBe(liveFeeds(), 0);
  });

  test('closing the WebSocket ends its subscriptions', async () => {
    const { apiKey } = await server.newOrganization();
    const own = server.client(apiKey);
    const feeds = [attempts(own), updates(own, {})];
    await subscribersToBe(liveFeeds(), 2);
    await own.close();
    await subscribersToBe(liveFeeds(), 0);
    await Promise.all(feeds.map((feed) => feed.waitForEnd('the end of the subscription')));
  });
});
