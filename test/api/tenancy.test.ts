import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AgentDocument,
  AgentsDocument,
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateApiKeyDocument,
  CreateWebhookDocument,
  DeleteAgentDocument,
  DeleteWebhookDocument,
  DetachWebhookDocument,
  type HooklineClient,
  HooklineRequestError,
  NodeDocument,
  RevokeApiKeyDocument,
  RotateWebhookSecretDocument,
  ToggleWebhookDocument,
  UpdateAgentDocument,
  UpdateWebhookDocument,
  WebhookDocument,
  WebhooksDocument,
} from '@hookline/client';
import { expectCode } from '../support/assertions.ts';
import { countRows } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Two organizations on one server: everything B tries against A's objects must look exactly as
 * if they did not exist (null or NOT_FOUND, never FORBIDDEN, which would confirm they exist),
 * and must change nothing.
 */
let server: TestServer;
let a: HooklineClient;
let b: HooklineClient;
let aAgentId: string;
let aWebhookId: string;
let aKeyId: string;
let aKey: HooklineClient;
let bAgentId: string;
let bWebhookId: string;

/** What A sees of its own objects; compared before and after B's attempts. */
async function snapshotOfA() {
  const agent = (await a.request(AgentDocument, { id: aAgentId })).agent;
  const webhook = (await a.request(WebhookDocument, { id: aWebhookId })).webhook;
  return { agent, webhook };
}

let aAsCreated: Awaited<ReturnType<typeof snapshotOfA>>;

before(async () => {
  server = await startTestServer('tenancy');
  a = (await server.newOrganization('Org A')).client;
  b = (await server.newOrganization('Org B')).client;

  aAgentId = (await a.request(CreateAgentDocument, { input: { name: 'A reception' } })).createAgent
    .agent.id;
  aWebhookId = (
    await a.request(CreateWebhookDocument, {
      input: { url: 'https://a.example.com/hooks', description: 'A only' },
    })
  ).createWebhook.webhook.id;
  await a.request(AttachWebhookDocument, {
    input: { webhookId: aWebhookId, agentId: aAgentId, events: ['PRE_CONVERSATION'] },
  });
  const key = (await a.request(CreateApiKeyDocument, { input: { name: 'a-ci' } })).createApiKey;
  aKeyId = key.key.id;
  aKey = server.client(key.apiKey);

  bAgentId = (await b.request(CreateAgentDocument, { input: { name: 'B sales' } })).createAgent
    .agent.id;
  bWebhookId = (
    await b.request(CreateWebhookDocument, { input: { url: 'https://b.example.com/hooks' } })
  ).createWebhook.webhook.id;

  aAsCreated = await snapshotOfA();
  assert.ok(aAsCreated.agent, 'A sees its own agent');
  assert.ok(aAsCreated.webhook, 'A sees its own webhook');
  assert.equal(aAsCreated.webhook.subscriptions.length, 1);
});
after(() => server.stop());

describe("B's key cannot read A's objects", () => {
  test('agent(id) and webhook(id) are null', async () => {
    assert.equal((await b.request(AgentDocument, { id: aAgentId })).agent, null);
    assert.equal((await b.request(WebhookDocument, { id: aWebhookId })).webhook, null);
  });

  test('node(id) is null or NOT_FOUND, for the agent, the webhook and the API key', async () => {
    for (const id of [aAgentId, aWebhookId, aKeyId]) {
      try {
        const result = await b.request(NodeDocument, { id });
        assert.equal(result.node, null, `node(${id}) must not resolve for B`);
      } catch (error) {
        assert.ok(error instanceof HooklineRequestError, String(error));
        assert.equal(error.code, 'NOT_FOUND', `node(${id}): ${error.message}`);
      }
    }
  });

  test('lists show only B’s own objects', async () => {
    const agents = await b.request(AgentsDocument, { first: 100 });
    assert.deepEqual(
      agents.agents.edges.map((e) => e.node.id),
      [bAgentId],
    );
    const webhooks = await b.request(WebhooksDocument, { first: 100 });
    assert.deepEqual(
      webhooks.webhooks.edges.map((e) => e.node.id),
      [bWebhookId],
    );
    for (const enabled of [true, false]) {
      const filtered = await b.request(WebhooksDocument, { first: 100, enabled });
      assert.ok(filtered.webhooks.edges.every((e) => e.node.id !== aWebhookId));
    }
  });

  test("B's own agent and webhook do not reveal A's subscription", async () => {
    const agent = (await b.request(AgentDocument, { id: bAgentId })).agent;
    assert.deepEqual(agent?.subscriptions, []);
    const webhook = (await b.request(WebhookDocument, { id: bWebhookId })).webhook;
    assert.deepEqual(webhook?.subscriptions, []);
  });
});

describe("B's key cannot change A's objects", () => {
  let rowsBefore: Record<string, number>;
  before(async () => {
    rowsBefore = await countRows(server);
  });

  /** Each attempt names A's objects through `ids`, so it can also be run against unknown ids. */
  interface Ids {
    agentId: string;
    webhookId: string;
    keyId: string;
  }
  const attempts: Array<{ name: string; run: (ids: Ids) => Promise<unknown> }> = [
    {
      name: 'rename the agent',
      run: ({ agentId }) => b.request(UpdateAgentDocument, { input: { id: agentId, name: 'X' } }),
    },
    {
      name: 'delete the agent',
      run: ({ agentId }) => b.request(DeleteAgentDocument, { input: { id: agentId } }),
    },
    {
      name: 'update the webhook URL',
      run: ({ webhookId }) =>
        b.request(UpdateWebhookDocument, {
          input: { id: webhookId, url: 'https://evil.example.com/x' },
        }),
    },
    {
      name: 'update the webhook description only',
      run: ({ webhookId }) =>
        b.request(UpdateWebhookDocument, { input: { id: webhookId, description: 'pwned' } }),
    },
    {
      name: 'disable the webhook',
      run: ({ webhookId }) =>
        b.request(ToggleWebhookDocument, { input: { id: webhookId, enabled: false } }),
    },
    {
      name: 'rotate the webhook secret',
      run: ({ webhookId }) => b.request(RotateWebhookSecretDocument, { input: { id: webhookId } }),
    },
    {
      name: 'delete the webhook',
      run: ({ webhookId }) => b.request(DeleteWebhookDocument, { input: { id: webhookId } }),
    },
    {
      name: "attach A's webhook to B's agent",
      run: ({ webhookId }) =>
        b.request(AttachWebhookDocument, {
          input: { webhookId, agentId: bAgentId, events: ['PRE_CONVERSATION'] },
        }),
    },
    {
      name: "attach B's webhook to A's agent",
      run: ({ agentId }) =>
        b.request(AttachWebhookDocument, {
          input: { webhookId: bWebhookId, agentId, events: ['ANALYTICS_COMPLETED'] },
        }),
    },
    {
      name: "overwrite the events of A's own subscription",
      run: ({ webhookId, agentId }) =>
        b.request(AttachWebhookDocument, {
          input: { webhookId, agentId, events: ['ANALYTICS_COMPLETED', 'PRE_CONVERSATION'] },
        }),
    },
    {
      name: "detach A's webhook from A's agent",
      run: ({ webhookId, agentId }) =>
        b.request(DetachWebhookDocument, { input: { webhookId, agentId } }),
    },
    {
      name: "detach across organizations (A's webhook, B's agent)",
      run: ({ webhookId }) =>
        b.request(DetachWebhookDocument, { input: { webhookId, agentId: bAgentId } }),
    },
    {
      name: "revoke A's API key",
      run: ({ keyId }) => b.request(RevokeApiKeyDocument, { input: { id: keyId } }),
    },
  ];

  const unknown: Ids = {
    agentId: 'agt_00000000000000000000000000',
    webhookId: 'whk_00000000000000000000000000',
    keyId: 'key_00000000000000000000000000',
  };
  /** An error with every id replaced by its kind, so A's and unknown ids compare equal. */
  const shape = (error: HooklineRequestError, ids: Ids) => {
    let text = JSON.stringify(
      error.errors.map(({ message, extensions }) => ({ message, extensions })),
    );
    for (const [kind, id] of Object.entries(ids)) text = text.replaceAll(id, `<${kind}>`);
    return JSON.parse(text);
  };

  for (const attempt of attempts) {
    test(`${attempt.name}: NOT_FOUND, exactly as for an id that does not exist`, async () => {
      const mine: Ids = { agentId: aAgentId, webhookId: aWebhookId, keyId: aKeyId };
      const error = await expectCode(attempt.run(mine), 'NOT_FOUND');
      const control = await expectCode(attempt.run(unknown), 'NOT_FOUND');
      assert.deepEqual(shape(error, mine), shape(control, unknown));
    });
  }

  test("afterwards A's objects are unchanged and no row was added or removed", async () => {
    assert.deepEqual(await snapshotOfA(), aAsCreated);
    assert.deepEqual(await countRows(server), rowsBefore);
    // A's second key still works: B's revoke attempt did nothing.
    const viaKey = await aKey.request(AgentsDocument, { first: 100 });
    assert.deepEqual(
      viaKey.agents.edges.map((e) => e.node.id),
      [aAgentId],
    );
    // And B's own objects were not touched by the cross-organization attaches.
    assert.deepEqual((await b.request(AgentDocument, { id: bAgentId })).agent?.subscriptions, []);
  });
});
