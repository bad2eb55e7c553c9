import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AgentDocument,
  AgentsDocument,
  ApiKeysDocument,
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  CreateWebhookDocument,
  CurrentOrganizationDocument,
  DeleteAgentDocument,
  DeleteWebhookDocument,
  DetachWebhookDocument,
  EventTypesDocument,
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

let server: TestServer;
before(async () => {
  server = await startTestServer('management');
});
after(() => server.stop());

describe('organizations and keys', () => {
  test('the operator creates an organization and gets its first key once', async () => {
    const result = await server.operator.request(CreateOrganizationDocument, {
      input: { name: 'Acme' },
    });
    assert.match(result.createOrganization.apiKey, /^hkl_[A-Za-z0-9_-]{43}$/);
    assert.match(result.createOrganization.organization.id, /^org_/);
    const org = server.client(result.createOrganization.apiKey);
    const current = await org.request(CurrentOrganizationDocument);
    assert.equal(current.organization?.name, 'Acme');
  });

  test('an organization key may not create organizations', async () => {
    const { client } = await server.newOrganization();
    await expectCode(
      client.request(CreateOrganizationDocument, { input: { name: 'Evil' } }),
      'FORBIDDEN',
    );
  });

  test('no key, a malformed key and an unknown key are UNAUTHENTICATED', async () => {
    await expectCode(server.client().request(AgentsDocument, {}), 'UNAUTHENTICATED');
    await expectCode(server.client('not-a-key').request(AgentsDocument, {}), 'UNAUTHENTICATED');
    await expectCode(
      server.client(`hkl_${'A'.repeat(43)}`).request(AgentsDocument, {}),
      'UNAUTHENTICATED',
    );
  });

  test('a new key works, and stops working the moment it is revoked', async () => {
    const { client } = await server.newOrganization();
    const created = await client.request(CreateApiKeyDocument, { input: { name: 'ci' } });
    assert.match(created.createApiKey.key.hint, /^hkl_/);
    assert.ok(!created.createApiKey.key.hint.includes(created.createApiKey.apiKey.slice(8, -4)));
    const second = server.client(created.createApiKey.apiKey);
    await second.request(AgentsDocument, {});
    const revoked = await client.request(RevokeApiKeyDocument, {
      input: { id: created.createApiKey.key.id },
    });
    assert.ok(revoked.revokeApiKey.key.revokedAt);
    await expectCode(second.request(AgentsDocument, {}), 'UNAUTHENTICATED');

    const keys = (await client.request(ApiKeysDocument)).apiKeys;
    assert.deepEqual(
      keys.map((k) => [k.name, k.revokedAt !== null]),
      [
        ['default', false],
        ['ci', true],
      ],
    );
    assert.ok(!JSON.stringify(keys).includes(created.createApiKey.apiKey), 'never the key itself');
    const other = await server.newOrganization();
    const theirs = (await other.client.request(ApiKeysDocument)).apiKeys;
    assert.equal(theirs.length, 1, 'another organization sees only its own key');
  });

  test('the operator key cannot read tenant data', async () => {
    await expectCode(server.operator.request(AgentsDocument, {}), 'FORBIDDEN');
  });
});

describe('agents', () => {
  test('create, read, rename, list with cursors, delete', async () => {
    const { client } = await server.newOrganization();
    const ids: string[] = [];
    for (const name of ['Reception', 'Sales', 'Support']) {
      const created = await client.request(CreateAgentDocument, { input: { name } });
      assert.match(created.createAgent.agent.id, /^agt_/);
      ids.push(created.createAgent.agent.id);
    }
    const page1 = await client.request(AgentsDocument, { first: 2 });
    assert.deepEqual(
      page1.agents.edges.map((e) => e.node.name),
      ['Reception', 'Sales'],
    );
    assert.equal(page1.agents.pageInfo.hasNextPage, true);
    const page2 = await client.request(AgentsDocument, {
      first: 2,
      after: page1.agents.pageInfo.endCursor,
    });
    assert.deepEqual(
      page2.agents.edges.map((e) => e.node.name),
      ['Support'],
    );
    assert.equal(page2.agents.pageInfo.hasNextPage, false);

    const renamed = await client.request(UpdateAgentDocument, {
      input: { id: ids[0]!, name: 'Front desk' },
    });
    assert.equal(renamed.updateAgent.agent.name, 'Front desk');
    const node = await client.request(NodeDocument, { id: ids[0]! });
    assert.equal(node.node?.__typename, 'Agent');

    await client.request(DeleteAgentDocument, { input: { id: ids[1]! } });
    assert.equal((await client.request(AgentDocument, { id: ids[1]! })).agent, null);
    await expectCode(client.request(DeleteAgentDocument, { input: { id: ids[1]! } }), 'NOT_FOUND');
  });
});

describe('webhooks', () => {
  test('create shows a Standard Webhooks secret; update, toggle, filter, rotate, delete', async () => {
    const { client } = await server.newOrganization();
    const created = await client.request(CreateWebhookDocument, {
      input: { url: 'https://example.com/hooks/calls', description: 'CRM sync' },
    });
    const webhook = created.createWebhook.webhook;
    assert.match(webhook.id, /^whk_/);
    assert.match(webhook.signingSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(webhook.signingSecret.slice(6), 'base64').length, 32);
    assert.equal(webhook.enabled, true);

    const updated = await client.request(UpdateWebhookDocument, {
      input: { id: webhook.id, url: 'https://example.com/v2/hooks' },
    });
    assert.equal(updated.updateWebhook.webhook.url, 'https://example.com/v2/hooks');
    assert.equal(updated.updateWebhook.webhook.description, 'CRM sync', 'description is kept');

    const other = await client.request(CreateWebhookDocument, {
      input: { url: 'https://example.org/x' },
    });
    await client.request(ToggleWebhookDocument, { input: { id: webhook.id, enabled: false } });
    const disabled = await client.request(WebhooksDocument, { enabled: false });
    assert.deepEqual(
      disabled.webhooks.edges.map((e) => e.node.id),
      [webhook.id],
    );
    const enabled = await client.request(WebhooksDocument, { enabled: true });
    assert.deepEqual(
      enabled.webhooks.edges.map((e) => e.node.id),
      [other.createWebhook.webhook.id],
    );

    const rotated = await client.request(RotateWebhookSecretDocument, {
      input: { id: webhook.id },
    });
    assert.notEqual(rotated.rotateWebhookSecret.webhook.signingSecret, webhook.signingSecret);
    assert.match(rotated.rotateWebhookSecret.webhook.signingSecret, /^whsec_/);

    const node = await client.request(NodeDocument, { id: webhook.id });
    assert.equal(node.node?.__typename, 'Webhook');

    await client.request(DeleteWebhookDocument, { input: { id: webhook.id } });
    assert.equal((await client.request(WebhookDocument, { id: webhook.id })).webhook, null);
    await expectCode(
      client.request(ToggleWebhookDocument, { input: { id: webhook.id, enabled: true } }),
      'NOT_FOUND',
    );
  });

  test('URLs are stored as the URL parser reads them, so what is shown is what is contacted', async () => {
    const { client } = await server.newOrganization();
    const cases = [
      ['HTTPS://Example.COM:443/hooks/a b?x=1', 'https://example.com/hooks/a%20b?x=1'],
      ['https://bücher.example', 'https://xn--bcher-kva.example/'],
      ['  http://example.com:8080/x/../y  ', 'http://example.com:8080/y'],
    ] as const;
    for (const [typed, stored] of cases) {
      const created = await client.request(CreateWebhookDocument, { input: { url: typed } });
      assert.equal(created.createWebhook.webhook.url, stored, typed);
      const { id } = created.createWebhook.webhook;
      assert.equal((await client.request(WebhookDocument, { id })).webhook?.url, stored);
      const updated = await client.request(UpdateWebhookDocument, { input: { id, url: typed } });
      assert.equal(updated.updateWebhook.webhook.url, stored);
    }
  });

  test('attach connects an agent to a webhook; attaching again replaces the events', async () => {
    const { client } = await server.newOrganization();
    const agent = (await client.request(CreateAgentDocument, { input: { name: 'Reception' } }))
      .createAgent.agent;
    const webhook = (
      await client.request(CreateWebhookDocument, { input: { url: 'https://example.com/h' } })
    ).createWebhook.webhook;
    const first = await client.request(AttachWebhookDocument, {
      input: { webhookId: webhook.id, agentId: agent.id, events: ['PRE_CONVERSATION'] },
    });
    assert.deepEqual(first.attachWebhook.subscription.events, ['PRE_CONVERSATION']);
    await client.request(AttachWebhookDocument, {
      input: {
        webhookId: webhook.id,
        agentId: agent.id,
        events: ['ANALYTICS_COMPLETED', 'PRE_CONVERSATION'],
      },
    });
    const seen = await client.request(WebhookDocument, { id: webhook.id });
    assert.equal(seen.webhook?.subscriptions.length, 1);
    assert.deepEqual([...(seen.webhook?.subscriptions[0]?.events ?? [])].sort(), [
      'ANALYTICS_COMPLETED',
      'PRE_CONVERSATION',
    ]);
    const fromAgent = await client.request(AgentDocument, { id: agent.id });
    assert.equal(fromAgent.agent?.subscriptions[0]?.webhook.id, webhook.id);

    await client.request(DetachWebhookDocument, {
      input: { webhookId: webhook.id, agentId: agent.id },
    });
    assert.equal(
      (await client.request(WebhookDocument, { id: webhook.id })).webhook?.subscriptions.length,
      0,
    );
    await expectCode(
      client.request(DetachWebhookDocument, {
        input: { webhookId: webhook.id, agentId: agent.id },
      }),
      'NOT_FOUND',
    );
  });
});

describe('event type catalog', () => {
  test('lists each type with its wire name, JSON Schema and an example', async () => {
    const result = await server.client().request(EventTypesDocument);
    const byName = new Map(result.eventTypes.map((t) => [t.name, t]));
    const platform = result.eventTypes.filter((t) => !t.operational).map((t) => t.name);
    assert.deepEqual(platform.sort(), [
      'analytics-completed',
      'post-conversation',
      'pre-conversation',
    ]);
    // Hookline's own, for operational endpoints (docs/operational-webhooks.md).
    assert.deepEqual(
      result.eventTypes.filter((t) => t.operational).map((t) => t.name),
      [
        'endpoint.disabled',
        'endpoint.circuit_opened',
        'endpoint.circuit_closed',
        'delivery.exhausted',
      ],
    );
    const post = byName.get('post-conversation')!;
    assert.equal(post.type, 'POST_CONVERSATION');
    const postSchema = post.schema as { required: string[] };
    assert.deepEqual(postSchema.required.sort(), [
      'callId',
      'durationSeconds',
      'endedReason',
      'transcript',
    ]);
    const pre = byName.get('pre-conversation')!;
    assert.equal(pre.type, 'PRE_CONVERSATION');
    const schema = pre.schema as { properties: Record<string, unknown> };
    assert.ok(schema.properties.callerPhoneNumber);
    assert.equal((pre.example as { direction: string }).direction, 'inbound');
  });
});

describe('bad input changes nothing and says what is wrong', () => {
  const longText = 'x'.repeat(1001);
  const cases: Array<{
    name: string;
    code: string;
    field?: string;
    run: (ctx: BadInputContext) => Promise<unknown>;
  }> = [
    {
      name: 'relative URL',
      code: 'BAD_USER_INPUT',
      field: 'url',
      run: ({ c }) => c.request(CreateWebhookDocument, { input: { url: '/hooks' } }),
    },
    {
      name: 'ftp URL',
      code: 'BAD_USER_INPUT',
      field: 'url',
      run: ({ c }) => c.request(CreateWebhookDocument, { input: { url: 'ftp://example.com/x' } }),
    },
    {
      name: 'URL with credentials',
      code: 'BAD_USER_INPUT',
      field: 'url',
      run: ({ c }) =>
        c.request(CreateWebhookDocument, { input: { url: 'https://user:pw@example.com/x' } }),
    },
    {
      name: 'URL over 2048 characters',
      code: 'BAD_USER_INPUT',
      field: 'url',
      run: ({ c }) =>
        c.request(CreateWebhookDocument, {
          input: { url: `https://example.com/${'a'.repeat(2048)}` },
        }),
    },
    {
      name: 'over-long description',
      code: 'BAD_USER_INPUT',
      field: 'description',
      run: ({ c }) =>
        c.request(CreateWebhookDocument, {
          input: { url: 'https://example.com/x', description: longText },
        }),
    },
    {
      name: 'empty agent name',
      code: 'BAD_USER_INPUT',
      field: 'name',
      run: ({ c }) => c.request(CreateAgentDocument, { input: { name: '   ' } }),
    },
    {
      name: 'over-long agent name',
      code: 'BAD_USER_INPUT',
      field: 'name',
      run: ({ c }) => c.request(CreateAgentDocument, { input: { name: 'n'.repeat(201) } }),
    },
    {
      name: 'empty organization name',
      code: 'BAD_USER_INPUT',
      field: 'name',
      run: ({ op }) => op.request(CreateOrganizationDocument, { input: { name: '' } }),
    },
    {
      name: 'empty events list',
      code: 'BAD_USER_INPUT',
      field: 'events',
      run: ({ c, agentId, webhookId }) =>
        c.request(AttachWebhookDocument, { input: { webhookId, agentId, events: [] } }),
    },
    {
      name: 'unknown webhook id on update',
      code: 'NOT_FOUND',
      run: ({ c }) =>
        c.request(UpdateWebhookDocument, {
          input: { id: 'whk_00000000000000000000000000', url: 'https://example.com/y' },
        }),
    },
    {
      name: 'garbage id on attach',
      code: 'NOT_FOUND',
      run: ({ c, agentId }) =>
        c.request(AttachWebhookDocument, {
          input: { webhookId: 'nope', agentId, events: ['PRE_CONVERSATION'] },
        }),
    },
    {
      name: 'unknown agent on attach',
      code: 'NOT_FOUND',
      run: ({ c, webhookId }) =>
        c.request(AttachWebhookDocument, {
          input: {
            webhookId,
            agentId: 'agt_00000000000000000000000000',
            events: ['PRE_CONVERSATION'],
          },
        }),
    },
    {
      name: 'unknown agent on rename',
      code: 'NOT_FOUND',
      run: ({ c }) =>
        c.request(UpdateAgentDocument, {
          input: { id: 'agt_00000000000000000000000000', name: 'x' },
        }),
    },
    {
      name: 'revoking an unknown key',
      code: 'NOT_FOUND',
      run: ({ c }) =>
        c.request(RevokeApiKeyDocument, { input: { id: 'key_00000000000000000000000000' } }),
    },
  ];

  interface BadInputContext {
    c: ReturnType<TestServer['client']>;
    op: TestServer['operator'];
    agentId: string;
    webhookId: string;
  }

  for (const testCase of cases) {
    test(testCase.name, async () => {
      const { client } = await server.newOrganization();
      const agentId = (await client.request(CreateAgentDocument, { input: { name: 'A' } }))
        .createAgent.agent.id;
      const webhookId = (
        await client.request(CreateWebhookDocument, { input: { url: 'https://example.com/h' } })
      ).createWebhook.webhook.id;
      const before = await countRows(server);
      const error = await expectCode(
        testCase.run({ c: client, op: server.operator, agentId, webhookId }),
        testCase.code,
      );
      if (testCase.field) assert.equal(error.errors[0]?.extensions?.field, testCase.field);
      assert.deepEqual(await countRows(server), before);
    });
  }
});
