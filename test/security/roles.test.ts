import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiKeysDocument, CreateApiKeyDocument, DeliveryUpdatedDocument } from '@hookline/client';
import { type GraphQLObjectType, getNamedType } from 'graphql';
import { schema } from '../../src/graphql/schema.ts';
import { countRows } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { sseSubscribe, subscribersToBe } from '../support/live.ts';
import { codeOf, postGraphQL, RawGraphqlWs } from '../support/raw.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Key roles (docs/api.md, Roles): ADMIN does everything, EMITTER only emits (and reads the
 * catalog), VIEWER reads and subscribes. Each role's allowed and refused operations, over HTTP,
 * WebSocket and server-sent events; a refusal is FORBIDDEN and changes nothing.
 */
let server: TestServer;
let receiver: Receiver;
let keys: Record<'ADMIN' | 'EMITTER' | 'VIEWER', string>;
let ids: { agentId: string; webhookId: string };

before(async () => {
  server = await startTestServer('roles');
  receiver = await startReceiver();
  const org = await server.newOrganization('Roles');
  ids = await agentWithWebhook(org.client, receiver.url);
  const create = async (role: 'EMITTER' | 'VIEWER') =>
    (await org.client.request(CreateApiKeyDocument, { input: { name: role, role } })).createApiKey;
  const emitter = await create('EMITTER');
  const viewer = await create('VIEWER');
  assert.equal(emitter.key.role, 'EMITTER');
  assert.equal(viewer.key.role, 'VIEWER');
  keys = { ADMIN: org.apiKey, EMITTER: emitter.apiKey, VIEWER: viewer.apiKey };
});
after(async () => {
  await server?.stop();
  await receiver?.close();
});

const q = {
  agents: '{ agents(first: 1) { edges { node { id } } } }',
  webhooks: '{ webhooks(first: 1) { edges { node { id url } } } }',
  deliveries: '{ deliveries(first: 1) { edges { node { id } } } }',
  events: '{ events(first: 1) { edges { node { id } } } }',
  apiKeys: '{ apiKeys { id role } }',
  organization: '{ organization { id } }',
  eventTypes: '{ eventTypes { type } }',
  node: 'query($id: ID!) { node(id: $id) { id } }',
  createAgent: 'mutation { createAgent(input: { name: "x" }) { agent { id } } }',
  createWebhook:
    'mutation { createWebhook(input: { url: "https://example.com/x" }) { webhook { id } } }',
  createApiKey: 'mutation { createApiKey(input: { name: "k" }) { apiKey } }',
  emit: 'mutation($input: EmitEventInput!) { emitEvent(input: $input) { event { id type } } }',
  deliveryUpdated: 'subscription { deliveryUpdated { id status } }',
  requestCallSetup:
    'mutation($input: RequestCallSetupInput!) { requestCallSetup(input: $input) { setup { outcome } } }',
  purgeCall: 'mutation { purgeCall(input: { callId: "call_roles" }) { events } }',
  startListener:
    'mutation { startListener(input: { forwardTo: "http://localhost:3000/hooks" }) { webhook { id kind signingSecret } } }',
};
const emitVariables = () => ({
  input: { agentId: ids.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
});

/** What each role gets for each operation over HTTP: true when it works, else the code. */
const MATRIX: Array<{
  name: keyof typeof q;
  variables?: () => Record<string, unknown>;
  ADMIN: true | string;
  EMITTER: true | string;
  VIEWER: true | string;
}> = [
  { name: 'agents', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'webhooks', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'deliveries', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'events', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'apiKeys', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'organization', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: true },
  { name: 'eventTypes', ADMIN: true, EMITTER: true, VIEWER: true },
  {
    name: 'node',
    variables: () => ({ id: ids.agentId }),
    ADMIN: true,
    EMITTER: 'FORBIDDEN',
    VIEWER: true,
  },
  { name: 'createAgent', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: 'FORBIDDEN' },
  { name: 'createWebhook', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: 'FORBIDDEN' },
  { name: 'createApiKey', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: 'FORBIDDEN' },
  { name: 'emit', variables: emitVariables, ADMIN: true, EMITTER: true, VIEWER: 'FORBIDDEN' },
  {
    name: 'requestCallSetup',
    variables: () => ({ input: { agentId: ids.agentId, payload: preConversation() } }),
    ADMIN: true,
    EMITTER: true,
    VIEWER: 'FORBIDDEN',
  },
  { name: 'purgeCall', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: 'FORBIDDEN' },
  // A listener receives the organization's deliveries: its secret and its stream are an ADMIN's.
  { name: 'startListener', ADMIN: true, EMITTER: 'FORBIDDEN', VIEWER: 'FORBIDDEN' },
];

/** Row counts, except attempts: other cases' deliveries are still being attempted meanwhile. */
async function rowsBesideAttempts(): Promise<Record<string, number>> {
  const { delivery_attempts: _, ...rest } = await countRows(server);
  return rest;
}

/** Documentation a receiver's developer may read without a key. */
const PUBLIC_QUERIES = ['eventTypes', 'callSetupAnswerSchema'];

describe('every root field names a role scope', () => {
  test('no query, mutation or subscription is open to any organization key whatever its role', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const unguarded: string[] = [];
    for (const root of roots as GraphQLObjectType[]) {
      for (const field of Object.values(root.getFields())) {
        const options = field.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
        const scopes = options?.authScopes;
        // The catalogs need no key at all; everything else names who may call it.
        if (root.name === 'Query' && PUBLIC_QUERIES.includes(field.name)) continue;
        if (typeof scopes !== 'object' || scopes === null || 'organization' in scopes) {
          unguarded.push(`${root.name}.${field.name} (${getNamedType(field.type).name})`);
        }
      }
    }
    assert.deepEqual(unguarded, [], 'root fields without a role scope');
  });
});

describe('roles over HTTP', () => {
  for (const row of MATRIX) {
    for (const role of ['ADMIN', 'EMITTER', 'VIEWER'] as const) {
      const expected = row[role];
      test(`${role}: ${row.name} ${expected === true ? 'works' : `is ${expected}`}`, async () => {
        const before = expected === true ? undefined : await rowsBesideAttempts();
        const response = await postGraphQL(
          server.url,
          q[row.name],
          row.variables?.() ?? {},
          keys[role],
        );
        if (expected === true) {
          assert.equal(response.json?.errors, undefined, JSON.stringify(response.json));
          assert.ok(response.json?.data);
        } else {
          assert.equal(codeOf(response), expected, JSON.stringify(response.json));
          assert.equal(response.json?.errors?.[0]?.extensions?.role, role);
          assert.deepEqual(await rowsBesideAttempts(), before, 'nothing changed');
        }
      });
    }
  }

  test('a new key is ADMIN unless it says otherwise; the first key is ADMIN', async () => {
    const admin = server.client(keys.ADMIN);
    const created = (await admin.request(CreateApiKeyDocument, { input: { name: 'plain' } }))
      .createApiKey;
    assert.equal(created.key.role, 'ADMIN');
    const list = (await admin.request(ApiKeysDocument)).apiKeys;
    const roleOf = (name: string) => list.find((key) => key.name === name)?.role;
    assert.equal(roleOf('default'), 'ADMIN', 'the first key, made with the organization');
    assert.equal(roleOf('EMITTER'), 'EMITTER');
    assert.equal(roleOf('VIEWER'), 'VIEWER');
    assert.equal(roleOf('plain'), 'ADMIN');
  });

  test('the operator key still creates keys of a chosen role for an organization', async () => {
    const org = await server.newOrganization('Operator made');
    const created = (
      await server.operator.request(CreateApiKeyDocument, {
        input: { name: 'runtime', role: 'EMITTER', organizationId: org.organizationId },
      })
    ).createApiKey;
    assert.equal(created.key.role, 'EMITTER');
    const refused = await postGraphQL(server.url, q.agents, {}, created.apiKey);
    assert.equal(codeOf(refused), 'FORBIDDEN');
  });
});

describe('roles over WebSocket', () => {
  test('VIEWER subscribes and gets updates; a mutation on the socket is FORBIDDEN', async () => {
    const connection = await RawGraphqlWs.connect(server.url, keys.VIEWER);
    try {
      const refused = await connection.run(q.createAgent);
      const error = refused.errors?.[0] ?? refused.results[0]?.errors?.[0];
      assert.equal(error?.extensions?.code, 'FORBIDDEN', JSON.stringify(refused));
      const id = connection.subscribe(q.deliveryUpdated);
      // The subscription is registered before the emit: wait for the server to hold it.
      await subscribersToBe(server.hookline.runtime.liveFeeds, 1);
      const emitted = await postGraphQL(server.url, q.emit, emitVariables(), keys.EMITTER);
      assert.equal(emitted.json?.errors, undefined, JSON.stringify(emitted.json));
      const next = await connection.next(id);
      assert.equal(next?.errors, undefined, JSON.stringify(next));
      assert.ok(
        (next?.data as { deliveryUpdated?: { id: string } } | undefined)?.deliveryUpdated?.id,
      );
    } finally {
      connection.close();
    }
  });

  test('EMITTER may emit over the socket but not subscribe or read', async () => {
    const connection = await RawGraphqlWs.connect(server.url, keys.EMITTER);
    try {
      for (const query of [q.deliveryUpdated, q.agents]) {
        const refused = await connection.run(query);
        const error = refused.errors?.[0] ?? refused.results[0]?.errors?.[0];
        assert.equal(error?.extensions?.code, 'FORBIDDEN', `${query}: ${JSON.stringify(refused)}`);
      }
      const emitted = await connection.run(q.emit, emitVariables());
      assert.equal(emitted.results[0]?.errors, undefined, JSON.stringify(emitted));
      assert.ok(emitted.results[0]?.data);
    } finally {
      connection.close();
    }
  });
});

describe('roles over server-sent events', () => {
  test('EMITTER is refused a subscription with FORBIDDEN; VIEWER gets its stream', async () => {
    const refused = await sseSubscribe(server.url, keys.EMITTER, DeliveryUpdatedDocument, {});
    try {
      const first = await refused.results.next();
      assert.equal(first.value?.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    } finally {
      refused.close();
    }
    const stream = await sseSubscribe(server.url, keys.VIEWER, DeliveryUpdatedDocument, {});
    try {
      assert.equal(stream.status, 200);
      const next = stream.results.next();
      await subscribersToBe(server.hookline.runtime.liveFeeds, 1);
      const emitted = await postGraphQL(server.url, q.emit, emitVariables(), keys.ADMIN);
      assert.equal(emitted.json?.errors, undefined);
      const first = await next;
      assert.equal(first.value?.errors, undefined, JSON.stringify(first.value));
      assert.ok(first.value?.data?.deliveryUpdated);
    } finally {
      stream.close();
    }
  });
});
