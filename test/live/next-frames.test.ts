import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type DocumentNode,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { sharingSubscriptionEvents } from '../../src/graphql/shared-subscription-events.ts';
import { batchFrameWrites } from '../../src/http/ws-frame-batching.ts';
import { sendNextFramesOnce } from '../../src/http/ws-next-frames.ts';
import { eventually } from '../support/assertions.ts';

/**
 * Results executed once per audience and serialized once per result reach each subscriber as the
 * very bytes that plain graphql-js execution and graphql-ws's own serialization would send.
 *
 * Two real graphql-ws servers on the same schema and the same live items: the reference runs
 * graphql-js's `subscribe` and lets graphql-ws serialize every message, as Hookline did before;
 * the other runs Hookline's sharing subscribe and frames (with its frame batching). Raw `ws`
 * clients subscribe to both with the same operations, variables and organizations, and each
 * client's frames must be equal, byte for byte: different selections, arguments from variables,
 * a field that errors for one organization only, and text that JSON escapes.
 */
interface Item {
  id: string;
  label: string;
  score: number | null;
  secret: string;
}

interface Context {
  viewer: { kind: 'organization'; organizationId: string; role: 'ADMIN' | 'VIEWER' };
  items: () => AsyncIterableIterator<Item>;
  /** Counts executions of `label`, per transport. */
  resolved: () => void;
}

/** Every subscriber receives the same item objects, as the live feed hands them out. */
function itemFeed() {
  const subscribers = new Set<(item: Item) => void>();
  return {
    publish: (item: Item) => {
      for (const push of subscribers) push(item);
    },
    count: () => subscribers.size,
    subscribe(): AsyncIterableIterator<Item> {
      const buffered: Item[] = [];
      const waiting: Array<(result: IteratorResult<Item>) => void> = [];
      const push = (item: Item) => {
        const resolve = waiting.shift();
        if (resolve) resolve({ value: item, done: false });
        else buffered.push(item);
      };
      subscribers.add(push);
      const iterator: AsyncIterableIterator<Item> = {
        next: () => {
          const item = buffered.shift();
          if (item) return Promise.resolve({ value: item, done: false });
          return new Promise((resolve) => waiting.push(resolve));
        },
        return: () => {
          subscribers.delete(push);
          for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
}

const ItemType = new GraphQLObjectType<Item, Context>({
  name: 'Item',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    label: {
      type: GraphQLString,
      args: { upper: { type: GraphQLBoolean } },
      resolve: (item, args, ctx) => {
        ctx.resolved();
        return args.upper ? item.label.toUpperCase() : item.label;
      },
    },
    score: { type: GraphQLFloat },
    secret: {
      type: GraphQLString,
      resolve: (item, _args, ctx) => {
        if (ctx.viewer.organizationId === 'org_b') throw new Error('No secret for "org_b" ✗');
        return item.secret;
      },
    },
  },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
  subscription: new GraphQLObjectType<unknown, Context>({
    name: 'Subscription',
    fields: {
      items: {
        type: new GraphQLNonNull(ItemType),
        // Where a resumed subscriber starts: it changes no item's result.
        args: { after: { type: GraphQLID } },
        subscribe: (_root, _args, ctx) => ctx.items(),
        resolve: (item) => item,
      },
    },
  }),
});

interface Transport {
  url: string;
  feed: ReturnType<typeof itemFeed>;
  labelsResolved: () => number;
  close(): Promise<void>;
}

async function startTransport(shared: boolean): Promise<Transport> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  const feed = itemFeed();
  let labelsResolved = 0;
  if (shared) batchFrameWrites(wss);
  // As Yoga's parser cache: one document per query text, so equal operations are one audience.
  const documents = new Map<string, DocumentNode>();
  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      onSubscribe: (_ctx, _id, payload) => {
        let document = documents.get(payload.query);
        if (!document) {
          document = parse(payload.query);
          documents.set(payload.query, document);
        }
        return { schema, document, variableValues: payload.variables };
      },
      context: (ctx) => {
        const params = ctx.connectionParams as { org: string; role: 'ADMIN' | 'VIEWER' };
        return {
          viewer: { kind: 'organization', organizationId: params.org, role: params.role },
          items: () => feed.subscribe(),
          resolved: () => void labelsResolved++,
        } satisfies Context;
      },
      ...(shared
        ? { subscribe: sharingSubscriptionEvents() as never, onOperation: sendNextFramesOnce() }
        : { subscribe }),
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    feed,
    labelsResolved: () => labelsResolved,
    async close() {
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

interface Subscriber {
  org: string;
  role: 'ADMIN' | 'VIEWER';
  query: string;
  variables?: Record<string, unknown>;
}

/** A raw graphql-transport-ws client: every frame after the handshake, as the bytes it got. */
async function rawSubscriber(url: string, { org, role, query, variables }: Subscriber) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const frames: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { org, role } })),
    );
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.includes('"connection_ack"')) {
        socket.send(
          JSON.stringify({ id: 'op-1', type: 'subscribe', payload: { query, variables } }),
        );
        resolve();
      } else {
        frames.push(text);
      }
    });
  });
  return { frames, close: () => socket.close() };
}

const SUBSCRIBERS: Subscriber[] = [
  // Two of one audience: one execution, one serialization.
  { org: 'org_a', role: 'ADMIN', query: 'subscription { items { id label } }' },
  { org: 'org_a', role: 'ADMIN', query: 'subscription { items { id label } }' },
  // Another selection, in the same organization.
  {
    org: 'org_a',
    role: 'ADMIN',
    query: 'subscription Full { items { id label(upper: true) score secret } }',
  },
  // The same operation with other variables.
  {
    org: 'org_a',
    role: 'VIEWER',
    query: 'subscription ($upper: Boolean) { items { label(upper: $upper) score } }',
    variables: { upper: true },
  },
  {
    org: 'org_a',
    role: 'VIEWER',
    query: 'subscription ($upper: Boolean) { items { label(upper: $upper) score } }',
    variables: { upper: false },
  },
  // Two resumed from different positions: `after` changes no result, so one execution.
  {
    org: 'org_a',
    role: 'ADMIN',
    query: 'subscription Resumed($after: ID) { items(after: $after) { id label } }',
    variables: { after: 'itm_0' },
  },
  {
    org: 'org_a',
    role: 'ADMIN',
    query: 'subscription Resumed($after: ID) { items(after: $after) { id label } }',
    variables: { after: 'itm_00' },
  },
  // A field that errors for this organization only.
  {
    org: 'org_b',
    role: 'ADMIN',
    query: 'subscription Full { items { id label(upper: true) score secret } }',
  },
];

const ITEMS: Item[] = [
  { id: 'itm_1', label: 'plain', score: 1, secret: 's1' },
  { id: 'itm_2', label: 'naïve "quoted" \\ back\u2028slash </script> 🚀', score: 0.1, secret: '' },
  { id: 'itm_3', label: 'tab\there\nnewline', score: null, secret: 'ünïcode' },
];

let reference: Transport;
let shared: Transport;
before(async () => {
  [reference, shared] = await Promise.all([startTransport(false), startTransport(true)]);
});
after(async () => {
  await Promise.all([reference.close(), shared.close()]);
});

describe('next frames serialized once per result', () => {
  test('every subscriber receives the bytes plain graphql-js and graphql-ws would send', async () => {
    const received: string[][][] = [];
    for (const transport of [reference, shared]) {
      const clients: Array<Awaited<ReturnType<typeof rawSubscriber>>> = [];
      for (const subscriber of SUBSCRIBERS) {
        clients.push(await rawSubscriber(transport.url, subscriber));
      }
      await eventually(() => transport.feed.count() === SUBSCRIBERS.length || undefined, {
        message: 'every subscription registered',
      });
      // Each item handed out on its own turn, and all three within one: both kinds of batching.
      transport.feed.publish(ITEMS[0]!);
      await new Promise((resolve) => setImmediate(resolve));
      transport.feed.publish(ITEMS[1]!);
      transport.feed.publish(ITEMS[2]!);
      await eventually(() => clients.every((c) => c.frames.length === ITEMS.length) || undefined, {
        message: 'every item reached every subscriber',
      });
      for (const client of clients) client.close();
      received.push(clients.map((c) => c.frames));
    }
    const [expected, actual] = received as [string[][], string[][]];
    assert.deepEqual(actual, expected);

    // The cases this covered: an error for org_b only, escaped text, a null, a selection each.
    const orgB = expected[7]!.map((frame) => JSON.parse(frame));
    assert.ok(
      orgB.every((message) => message.payload.errors?.[0]?.path?.join('.') === 'items.secret'),
    );
    assert.ok(expected[2]!.every((frame) => !frame.includes('"errors"')));
    assert.equal(expected[0]![1], expected[1]![1]);
    assert.match(expected[0]![1]!, /\\"quoted\\"/);
    assert.notEqual(expected[3]![0], expected[4]![0]);
    // And the sharing did happen: the first two subscribers' items were executed once, and so
    // were the two resumed ones'.
    assert.equal(reference.labelsResolved(), SUBSCRIBERS.length * ITEMS.length);
    assert.equal(shared.labelsResolved(), (SUBSCRIBERS.length - 2) * ITEMS.length);
  });
});
