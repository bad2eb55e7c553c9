import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ulid } from 'ulidx';
import { MAX_WS_MESSAGE_BYTES } from '../../src/http/websocket.ts';
import { countRows } from '../support/database.ts';
import { agentWithWebhook } from '../support/fixtures.ts';
import { codeOf, postGraphQL, postRaw, RawGraphqlWs, type RawResponse } from '../support/raw.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

/**
 * The bad-input catalog: malformed and hostile requests against every mutation, query and
 * subscription, over HTTP and WebSocket. Each case names what it must get back (a GraphQL error
 * code, an HTTP status where GraphQL never starts, a WebSocket close code), and every case must
 * leave the database exactly as it was and the process healthy (/healthz answers 200 and a
 * normal query still works).
 *
 * Codes: BAD_USER_INPUT (invalid values; `field` names them), NOT_FOUND (unknown or another
 * organization's id), UNAUTHENTICATED, FORBIDDEN, GRAPHQL_PARSE_FAILED (not GraphQL),
 * GRAPHQL_VALIDATION_FAILED (not valid against the schema), QUERY_LIMIT_EXCEEDED (`limit`
 * names depth, cost, aliases, directives, tokens or length), OPERATION_RESOLUTION_FAILURE,
 * BAD_REQUEST (the HTTP request itself), REQUEST_ENTITY_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE
 * (415: a body that is not JSON), CONFLICT (an idempotency key reused for another event),
 * RATE_LIMITED and close code 4429 (over a cap on live connections). Over HTTP, a response
 * without `data` under application/graphql-response+json must also carry a 4xx status.
 */
let server: TestServer;
let key: string;
let ids: { agentId: string; webhookId: string; secondWebhookId: string };
let foreign: { agentId: string; webhookId: string; apiKeyId: string; organizationId: string };
/** More keys of ours, one per case of the per-key connection cap: no other case holds theirs. */
const capKeys: string[] = [];
/** An idempotency key already used, by an agent without webhooks (so nothing is delivered). */
const USED_KEY = 'catalog:used';
let quietAgentId: string;

before(async () => {
  server = await startTestServer('security_catalog');
  const mine = await server.newOrganization('Mine');
  key = mine.apiKey;
  const mineIds = await agentWithWebhook(mine.client, 'https://example.com/mine');
  // The first webhook answers the agent's call setups; the second would be a second responder.
  await postGraphQL(
    server.url,
    'mutation($input: AttachWebhookInput!) { attachWebhook(input: $input) { subscription { events } } }',
    {
      input: {
        webhookId: mineIds.webhookId,
        agentId: mineIds.agentId,
        events: ['PRE_CONVERSATION'],
        respondsToCallSetup: true,
      },
    },
    mine.apiKey,
  );
  const second = await postGraphQL(
    server.url,
    'mutation { createWebhook(input: { url: "https://example.com/second" }) { webhook { id } } }',
    {},
    mine.apiKey,
  );
  ids = {
    ...mineIds,
    secondWebhookId: (second.json!.data as { createWebhook: { webhook: { id: string } } })
      .createWebhook.webhook.id,
  };
  const theirs = await server.newOrganization('Theirs');
  const theirIds = await agentWithWebhook(theirs.client, 'https://example.com/theirs');
  const keyId = await postGraphQL(
    server.url,
    'mutation { createApiKey(input: { name: "theirs" }) { key { id } } }',
    {},
    theirs.apiKey,
  );
  foreign = {
    ...theirIds,
    organizationId: theirs.organizationId,
    apiKeyId: (keyId.json!.data as { createApiKey: { key: { id: string } } }).createApiKey.key.id,
  };
  for (const name of ['caps over WebSocket', 'caps over SSE']) {
    const created = await postGraphQL(
      server.url,
      'mutation($name: String!) { createApiKey(input: { name: $name }) { apiKey } }',
      { name },
      key,
    );
    capKeys.push((created.json!.data as { createApiKey: { apiKey: string } }).createApiKey.apiKey);
  }
  const quiet = await postGraphQL(server.url, m.createAgent, { input: { name: 'Quiet' } }, key);
  quietAgentId = (quiet.json!.data as { createAgent: { agent: { id: string } } }).createAgent.agent
    .id;
  const used = await postGraphQL(server.url, m.emit, usedKeyWith('PRE_CONVERSATION', pre()), key);
  assert.ok(used.json?.data, JSON.stringify(used.json));
});
after(() => server.stop());

type Expected =
  | { code: string; field?: string; limit?: string }
  | { status: number; code?: string }
  | { close: number };

interface Outcome {
  status?: number;
  code?: string;
  field?: unknown;
  limit?: unknown;
  close?: number;
  /** Over HTTP: the response's media type, and whether its body had `data`. */
  contentType?: string | null;
  hasData?: boolean;
}

interface Case {
  name: string;
  expect: Expected;
  run: () => Promise<Outcome>;
}

const UNKNOWN = {
  agent: 'agt_01M8M7GW07XXBBQQAB1K81B7YJ',
  webhook: 'whk_01M8M7GWCBKMAZ4VWQDE64XE5E',
  delivery: 'dlv_01M8M7GWX0JP8796V1GS8HC8MH',
  key: 'key_01M8M7GWX0JP8796V1GS8HC8MH',
};
const PHONE = '+14155550123';
const pre = (extra: Record<string, unknown> = {}) => ({
  callId: 'call_1',
  callerPhoneNumber: PHONE,
  direction: 'inbound',
  ...extra,
});

/** emitEvent's variables for a PRE_CONVERSATION event of our agent with this payload. */
const preConversationOf = (payload: unknown) => ({
  input: { agentId: ids.agentId, type: 'PRE_CONVERSATION', payload },
});

/** emitEvent's variables for the quiet agent's event with the idempotency key already used. */
const usedKeyWith = (type: string, payload: unknown) => ({
  input: { agentId: quietAgentId, type, payload, idempotencyKey: USED_KEY },
});

/** One GraphQL request over HTTP; the outcome is its status and first error. */
async function http(
  query: string,
  variables: Record<string, unknown> = {},
  apiKey: string | null = key,
): Promise<Outcome> {
  const response = await postGraphQL(server.url, query, variables, apiKey ?? undefined);
  const error = response.json?.errors?.[0];
  return {
    ...mediaOf(response),
    code: codeOf(response),
    field: error?.extensions?.field,
    limit: error?.extensions?.limit,
  };
}

async function raw(body: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const response = await postRaw(server.url, body, { apiKey: key, headers });
  return { ...mediaOf(response), code: codeOf(response) };
}

function mediaOf(response: RawResponse): Outcome {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    hasData: response.json !== undefined && 'data' in response.json,
  };
}

/** A POST whose body is not JSON (no content type at all when `contentType` is undefined). */
async function posted(body: string, contentType: string | undefined): Promise<Outcome> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/graphql-response+json',
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    // A Blob without a type is sent without Content-Type (a string would be text/plain).
    body: contentType ? body : new Blob([body]),
  });
  const json = (await response.json().catch(() => undefined)) as RawResponse['json'];
  return {
    status: response.status,
    code: json?.errors?.[0]?.extensions?.code,
    contentType: response.headers.get('content-type'),
    hasData: json !== undefined && 'data' in json,
  };
}

/**
 * Opens `count` WebSockets with a key (all kept open), then runs `attempt`; closes them after.
 * For the per-key cap: `count` is the cap's default.
 */
async function holding(
  count: number,
  apiKey: string,
  attempt: () => Promise<Outcome>,
): Promise<Outcome> {
  const held: RawGraphqlWs[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const connection = await RawGraphqlWs.connect(server.url, apiKey);
      held.push(connection);
      assert.ok(connection.isOpen, `connection ${i + 1} of ${count} is admitted`);
    }
    return await attempt();
  } finally {
    for (const connection of held) connection.close();
    // The server frees their places when it hears the closes: wait, so no later case meets them.
    await Promise.all(held.map((connection) => connection.closed));
  }
}

/** One operation over a fresh graphql-ws connection: its first error, or the close code. */
async function ws(
  query: string,
  variables: Record<string, unknown> = {},
  apiKey: string | null = key,
): Promise<Outcome> {
  const connection = await RawGraphqlWs.connect(server.url, apiKey ?? undefined);
  try {
    if (!connection.isOpen) return { close: (await connection.closed).code };
    const outcome = await connection.run(query, variables);
    if (outcome.close) return { close: outcome.close.code };
    const error = outcome.errors?.[0] ?? outcome.results[0]?.errors?.[0];
    return {
      code: error?.extensions?.code,
      field: error?.extensions?.field,
      limit: error?.extensions?.limit,
    };
  } finally {
    connection.close();
  }
}

/** A subscription over server-sent events (without a key by default): its first error. */
async function sse(query: string, apiKey?: string): Promise<Outcome> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  const data = /^data: (.*)$/m.exec(text)?.[1];
  const payload = data
    ? (JSON.parse(data) as { errors?: Array<{ extensions?: { code?: string; limit?: string } }> })
    : {};
  const error = payload.errors?.[0];
  return {
    status: response.status,
    code: error?.extensions?.code,
    limit: error?.extensions?.limit,
  };
}

/** Sends a raw WebSocket message after connecting; the outcome is how the socket closed. */
async function wsMessage(message: string, init = true): Promise<Outcome> {
  const connection = init ? await RawGraphqlWs.connect(server.url, key) : await openWithoutInit();
  connection.send(message);
  return { close: (await connection.closed).code };
}

async function openWithoutInit(): Promise<RawGraphqlWs> {
  // RawGraphqlWs always sends connection_init; for "before init" cases, talk to ws directly.
  const { openGraphqlWs, closed } = await import('../support/live.ts');
  const socket = openGraphqlWs(server.url);
  await new Promise((resolve) => socket.once('open', resolve));
  return {
    send: (m: string) => socket.send(m),
    closed: closed(socket),
  } as unknown as RawGraphqlWs;
}

const m = {
  createAgent:
    'mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id } } }',
  updateAgent:
    'mutation($input: UpdateAgentInput!) { updateAgent(input: $input) { agent { id } } }',
  deleteAgent:
    'mutation($input: DeleteAgentInput!) { deleteAgent(input: $input) { deletedAgentId } }',
  createWebhook:
    'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }',
  updateWebhook:
    'mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { id } } }',
  toggleWebhook:
    'mutation($input: ToggleWebhookInput!) { toggleWebhook(input: $input) { webhook { id } } }',
  deleteWebhook:
    'mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { deletedWebhookId } }',
  rotate:
    'mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { webhook { id } } }',
  attach:
    'mutation($input: AttachWebhookInput!) { attachWebhook(input: $input) { subscription { events } } }',
  detach: 'mutation($input: DetachWebhookInput!) { detachWebhook(input: $input) { agentId } }',
  emit: 'mutation($input: EmitEventInput!) { emitEvent(input: $input) { event { id } } }',
  sendTest:
    'mutation($input: SendTestEventInput!) { sendTestEvent(input: $input) { delivery { id } } }',
  redeliver: 'mutation($input: RedeliverInput!) { redeliver(input: $input) { delivery { id } } }',
  replay:
    'mutation($input: ReplayFailedDeliveriesInput!) { replayFailedDeliveries(input: $input) { count } }',
  createKey: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey } }',
  revokeKey: 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { key { id } } }',
  createOrg:
    'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { apiKey } }',
  revokeOperatorKey:
    'mutation($input: RevokeOperatorKeyInput!) { revokeOperatorKey(input: $input) { key { id } } }',
  operatorKeys: '{ operatorKeys { id revokedAt } }',
  createPortal:
    'mutation($input: CreatePortalSessionInput!) { createPortalSession(input: $input) { url } }',
  startPortal:
    'mutation($input: StartPortalSessionInput!) { startPortalSession(input: $input) { credential } }',
  revokePortals:
    'mutation($input: RevokePortalSessionsInput!) { revokePortalSessions(input: $input) { revokedCount } }',
  setBranding:
    'mutation($input: SetBrandingInput!) { setBranding(input: $input) { organization { id } } }',
  setOperational:
    'mutation($input: SetOperationalWebhookInput!) { setOperationalWebhook(input: $input) { url } }',
  callSetup:
    'mutation($input: RequestCallSetupInput!) { requestCallSetup(input: $input) { setup { outcome } } }',
  purgeCall: 'mutation($input: PurgeCallInput!) { purgeCall(input: $input) { events } }',
  startListener:
    'mutation($input: StartListenerInput!) { startListener(input: $input) { webhook { id } } }',
  reportListener:
    'mutation($input: ReportListenerResultInput!) { reportListenerResult(input: $input) { accepted } }',
  listenerRequests: 'subscription($id: ID!) { listenerRequests(webhookId: $id) { id body } }',
};

/** createWebhook's variables with these static headers. */
const withHeaders = (headers: unknown) => ({
  input: { url: 'https://example.com/gated', headers },
});

/** requestCallSetup's variables for our agent, with these fields changed. */
const callSetupOf = (input: Record<string, unknown>) => ({
  input: { agentId: ids.agentId, payload: pre(), ...input },
});

/** The id of the one operator key the test server has (its HOOKLINE_ADMIN_KEY). */
async function operatorKeyId(): Promise<string> {
  const response = await postGraphQL(server.url, m.operatorKeys, {}, TEST_ADMIN_KEY);
  const keys = (response.json!.data as { operatorKeys: { id: string }[] }).operatorKeys;
  assert.equal(keys.length, 1);
  return keys[0]!.id;
}

const nested = (levels: number, open: string, leaf: string) =>
  `${open.repeat(levels)} ${leaf} ${'}'.repeat(levels)}`;

const bad = (field?: string): Expected => ({ code: 'BAD_USER_INPUT', ...(field ? { field } : {}) });
const notFound: Expected = { code: 'NOT_FOUND' };
const invalid: Expected = { code: 'GRAPHQL_VALIDATION_FAILED' };
const limit = (name: string): Expected => ({ code: 'QUERY_LIMIT_EXCEEDED', limit: name });

const cases: Case[] = [
  // createAgent / updateAgent / deleteAgent
  {
    name: 'createAgent: name of the wrong type',
    expect: bad('name'),
    run: () => http(m.createAgent, { input: { name: 42 } }),
  },
  {
    name: 'createAgent: empty name',
    expect: bad('name'),
    run: () => http(m.createAgent, { input: { name: '' } }),
  },
  {
    name: 'createAgent: 100,000-character name',
    expect: bad('name'),
    run: () => http(m.createAgent, { input: { name: 'x'.repeat(100_000) } }),
  },
  { name: 'createAgent: input missing', expect: bad('input'), run: () => http(m.createAgent) },
  {
    name: 'createAgent: input not an object',
    expect: bad('input'),
    run: () => http(m.createAgent, { input: 'Reception' }),
  },
  {
    name: 'createAgent: unknown input field',
    expect: bad(),
    run: () => http(m.createAgent, { input: { name: 'a', admin: true } }),
  },
  {
    name: 'createAgent: literal of the wrong type',
    expect: invalid,
    run: () => http('mutation { createAgent(input: { name: 5 }) { agent { id } } }'),
  },
  {
    name: 'updateAgent: unknown id',
    expect: notFound,
    run: () => http(m.updateAgent, { input: { id: UNKNOWN.agent, name: 'x' } }),
  },
  {
    name: "updateAgent: another organization's agent",
    expect: notFound,
    run: () => http(m.updateAgent, { input: { id: foreign.agentId, name: 'mine now' } }),
  },
  {
    name: 'updateAgent: SQL in the id',
    expect: notFound,
    run: () => http(m.updateAgent, { input: { id: "'; drop table agents; --", name: 'x' } }),
  },
  {
    name: "deleteAgent: another organization's agent",
    expect: notFound,
    run: () => http(m.deleteAgent, { input: { id: foreign.agentId } }),
  },
  {
    name: 'deleteAgent: id of another type',
    expect: notFound,
    run: () => http(m.deleteAgent, { input: { id: ids.webhookId } }),
  },
  // createWebhook / updateWebhook / toggle / delete / rotate
  {
    name: 'createWebhook: relative URL',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: '/hooks' } }),
  },
  {
    name: 'createWebhook: javascript: URL',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'javascript:alert(1)' } }),
  },
  {
    name: 'createWebhook: file: URL',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'file:///etc/passwd' } }),
  },
  {
    name: 'createWebhook: URL with credentials',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'https://user:pass@example.com/' } }),
  },
  {
    name: 'createWebhook: 20,000-character URL',
    expect: bad('url'),
    run: () =>
      http(m.createWebhook, { input: { url: `https://example.com/${'a'.repeat(20_000)}` } }),
  },
  {
    name: 'createWebhook: not a URL at all',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'not a url' } }),
  },
  {
    name: 'createWebhook: private 10/8 literal',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'http://10.0.0.1/hooks' } }),
  },
  {
    name: 'createWebhook: cloud metadata address',
    expect: bad('url'),
    run: () =>
      http(m.createWebhook, { input: { url: 'http://169.254.169.254/latest/meta-data/' } }),
  },
  {
    name: 'createWebhook: private address in hex notation',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'http://0x0a000001/' } }),
  },
  {
    name: 'createWebhook: IPv4-mapped IPv6 private address',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'http://[::ffff:192.168.1.1]/' } }),
  },
  {
    name: 'createWebhook: IPv6 unique-local address',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'http://[fd00::1]/' } }),
  },
  {
    name: 'createWebhook: URL with CR/LF (shown as typed, contacted as parsed)',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'https://example.com/\r\nX-Injected: 1' } }),
  },
  {
    name: 'createWebhook: URL with a tab in the host',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'https://exa\tmple.com/hooks' } }),
  },
  {
    name: 'createWebhook: URL starting with a control character',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: '\u0001https://example.com/' } }),
  },
  {
    name: 'createWebhook: URL holding an unpaired surrogate',
    expect: bad('url'),
    run: () => http(m.createWebhook, { input: { url: 'https://example.com/\ud800' } }),
  },
  {
    name: 'createWebhook: description holding an unpaired surrogate',
    expect: bad('description'),
    run: () =>
      http(m.createWebhook, { input: { url: 'https://example.com/', description: 'x\ud800' } }),
  },
  {
    name: 'updateWebhook: URL with a line break',
    expect: bad('url'),
    run: () =>
      http(m.updateWebhook, { input: { id: ids.webhookId, url: 'https://example.com/a\nb' } }),
  },
  {
    name: 'createWebhook: description too long',
    expect: bad('description'),
    run: () =>
      http(m.createWebhook, {
        input: { url: 'https://example.com/', description: 'd'.repeat(100_000) },
      }),
  },
  ...(
    [
      ['maxConcurrency', 0],
      ['maxConcurrency', -3],
      ['maxConcurrency', 65],
      ['rateLimitPerSecond', 0],
      ['rateLimitPerSecond', -1],
      ['rateLimitPerSecond', 10_001],
      ['timeoutMs', 0],
      ['timeoutMs', -500],
      ['timeoutMs', 15_001],
    ] as const
  ).flatMap(([field, value]): Case[] => [
    {
      name: `createWebhook: ${field} ${value}`,
      expect: bad(field),
      run: () => http(m.createWebhook, { input: { url: 'https://example.com/', [field]: value } }),
    },
    {
      name: `updateWebhook: ${field} ${value}`,
      expect: bad(field),
      run: () => http(m.updateWebhook, { input: { id: ids.webhookId, [field]: value } }),
    },
  ]),
  {
    name: 'createWebhook: sendTraceContext "yes" for a Boolean',
    expect: bad('sendTraceContext'),
    run: () =>
      http(m.createWebhook, { input: { url: 'https://example.com/', sendTraceContext: 'yes' } }),
  },
  {
    name: 'updateWebhook: sendTraceContext 1 for a Boolean',
    expect: bad('sendTraceContext'),
    run: () => http(m.updateWebhook, { input: { id: ids.webhookId, sendTraceContext: 1 } }),
  },
  {
    name: 'createWebhook: maxConcurrency 2.5 for an Int',
    expect: bad('maxConcurrency'),
    run: () =>
      http(m.createWebhook, { input: { url: 'https://example.com/', maxConcurrency: 2.5 } }),
  },
  {
    name: 'updateWebhook: private address',
    expect: bad('url'),
    run: () => http(m.updateWebhook, { input: { id: ids.webhookId, url: 'http://192.168.0.10/' } }),
  },
  {
    name: "updateWebhook: another organization's webhook",
    expect: notFound,
    run: () =>
      http(m.updateWebhook, { input: { id: foreign.webhookId, url: 'https://evil.example/' } }),
  },
  {
    name: 'toggleWebhook: "yes" for a Boolean',
    expect: bad('enabled'),
    run: () => http(m.toggleWebhook, { input: { id: ids.webhookId, enabled: 'yes' } }),
  },
  {
    name: "toggleWebhook: another organization's webhook",
    expect: notFound,
    run: () => http(m.toggleWebhook, { input: { id: foreign.webhookId, enabled: false } }),
  },
  {
    name: 'deleteWebhook: unknown id',
    expect: notFound,
    run: () => http(m.deleteWebhook, { input: { id: UNKNOWN.webhook } }),
  },
  {
    name: "rotateWebhookSecret: another organization's webhook",
    expect: notFound,
    run: () => http(m.rotate, { input: { id: foreign.webhookId } }),
  },
  // attachWebhook / detachWebhook
  {
    name: 'attachWebhook: no events',
    expect: bad('events'),
    run: () =>
      http(m.attach, { input: { webhookId: ids.webhookId, agentId: ids.agentId, events: [] } }),
  },
  {
    name: 'attachWebhook: unknown event type',
    expect: bad(),
    run: () =>
      http(m.attach, {
        input: { webhookId: ids.webhookId, agentId: ids.agentId, events: ['CALL_HACKED'] },
      }),
  },
  {
    name: "attachWebhook: another organization's agent",
    expect: notFound,
    run: () =>
      http(m.attach, {
        input: { webhookId: ids.webhookId, agentId: foreign.agentId, events: ['PRE_CONVERSATION'] },
      }),
  },
  {
    name: 'detachWebhook: not attached',
    expect: notFound,
    run: () => http(m.detach, { input: { webhookId: ids.webhookId, agentId: UNKNOWN.agent } }),
  },
  // startListener / reportListenerResult / listenerRequests
  {
    name: 'startListener: forwardTo not a URL',
    expect: bad('forwardTo'),
    run: () => http(m.startListener, { input: { forwardTo: 'localhost:3000' } }),
  },
  {
    name: 'startListener: unknown event type',
    expect: bad(),
    run: () =>
      http(m.startListener, {
        input: { forwardTo: 'http://localhost:3000/hooks', events: ['CALL_HACKED'] },
      }),
  },
  {
    name: "startListener: another organization's agent",
    expect: notFound,
    run: () =>
      http(m.startListener, {
        input: { forwardTo: 'http://localhost:3000/hooks', agentIds: [foreign.agentId] },
      }),
  },
  {
    name: 'reportListenerResult: both status and error',
    expect: bad('status'),
    run: () =>
      http(m.reportListener, {
        input: { requestId: 'lxc_01M8M7GWX0JP8796V1GS8HC8MH', status: 200, error: 'refused' },
      }),
  },
  {
    name: 'reportListenerResult: status out of range',
    expect: bad('status'),
    run: () =>
      http(m.reportListener, {
        input: { requestId: 'lxc_01M8M7GWX0JP8796V1GS8HC8MH', status: 42 },
      }),
  },
  {
    name: 'listenerRequests: an HTTP webhook',
    expect: bad('webhookId'),
    run: () => ws(m.listenerRequests, { id: ids.webhookId }),
  },
  {
    name: "listenerRequests: another organization's webhook",
    expect: notFound,
    run: () => ws(m.listenerRequests, { id: foreign.webhookId }),
  },
  // emitEvent / sendTestEvent / redeliver / replay
  {
    name: 'emitEvent: payload missing a required field',
    expect: bad('payload.callId'),
    run: () =>
      http(m.emit, {
        input: {
          agentId: ids.agentId,
          type: 'PRE_CONVERSATION',
          payload: { callerPhoneNumber: PHONE, direction: 'inbound' },
        },
      }),
  },
  {
    name: 'emitEvent: payload field of the wrong type',
    expect: bad('payload.direction'),
    run: () =>
      http(m.emit, {
        input: { agentId: ids.agentId, type: 'PRE_CONVERSATION', payload: pre({ direction: 7 }) },
      }),
  },
  {
    name: 'emitEvent: payload is a string',
    expect: bad('payload'),
    run: () =>
      http(m.emit, { input: { agentId: ids.agentId, type: 'PRE_CONVERSATION', payload: 'hello' } }),
  },
  {
    name: 'emitEvent: payload over 256 KiB',
    expect: bad('payload'),
    run: () =>
      http(m.emit, {
        input: {
          agentId: ids.agentId,
          type: 'ANALYTICS_COMPLETED',
          payload: {
            callId: 'c',
            durationSeconds: 1,
            transcript: [{ role: 'agent', text: 'x'.repeat(300 * 1024), startSeconds: 0 }],
          },
        },
      }),
  },
  {
    name: 'emitEvent: payload nested 10,000 levels deep',
    expect: bad('payload'),
    run: () =>
      raw(
        `{"query":${JSON.stringify(m.emit)},"variables":{"input":{"agentId":"${ids.agentId}","type":"PRE_CONVERSATION","payload":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}}`,
      ).then(async (outcome) => ({ ...outcome, field: 'payload' })),
  },
  {
    name: 'emitEvent: payload holding a NUL character (PostgreSQL cannot store one)',
    expect: bad('payload.callId'),
    run: () => http(m.emit, preConversationOf(pre({ callId: 'a\u0000b' }))),
  },
  {
    name: 'WebSocket: emitEvent payload holding a NUL character',
    expect: bad('payload.callId'),
    run: () => ws(m.emit, preConversationOf(pre({ callId: '\u0000' }))),
  },
  {
    name: 'emitEvent: payload key holding a NUL character',
    expect: bad('payload.x\u0000'),
    run: () => http(m.emit, preConversationOf(pre({ 'x\u0000': 1 }))),
  },
  {
    name: 'createAgent: name holding a NUL character',
    expect: bad('name'),
    run: () => http(m.createAgent, { input: { name: 'Front\u0000desk' } }),
  },
  {
    name: 'createAgent: a NUL character escaped in a literal of the document',
    expect: bad(),
    run: () =>
      http('mutation { createAgent(input: { name: "Front\\u0000desk" }) { agent { id } } }', {}),
  },
  {
    name: 'emitEvent: payload holding an unpaired surrogate (not Unicode; PostgreSQL refuses it)',
    expect: bad('payload.callId'),
    run: () => http(m.emit, preConversationOf(pre({ callId: 'call_\ud800' }))),
  },
  {
    name: 'WebSocket: emitEvent payload holding an unpaired surrogate',
    expect: bad('payload.callId'),
    run: () => ws(m.emit, preConversationOf(pre({ callId: '\udfff' }))),
  },
  {
    name: 'emitEvent: payload ending in a lone high surrogate',
    expect: bad('payload.callerPhoneNumber'),
    run: () => http(m.emit, preConversationOf(pre({ callerPhoneNumber: `${PHONE}\ud83d` }))),
  },
  {
    name: 'emitEvent: surrogates in the wrong order',
    expect: bad('payload.callId'),
    run: () => http(m.emit, preConversationOf(pre({ callId: '\ude00\ud83d' }))),
  },
  {
    name: 'emitEvent: payload key holding an unpaired surrogate',
    expect: bad('payload.x\udc00'),
    run: () => http(m.emit, preConversationOf(pre({ 'x\udc00': 1 }))),
  },
  {
    name: 'emitEvent: unpaired surrogate deep in a nested payload value',
    expect: bad('payload.transcript.0.text'),
    run: () =>
      http(m.emit, {
        input: {
          agentId: ids.agentId,
          type: 'ANALYTICS_COMPLETED',
          payload: {
            callId: 'c',
            durationSeconds: 1,
            transcript: [{ role: 'agent', text: 'hello \ud800', startSeconds: 0 }],
          },
        },
      }),
  },
  {
    name: 'emitEvent: idempotency key holding an unpaired surrogate',
    expect: bad('idempotencyKey'),
    run: () =>
      http(m.emit, { input: { ...preConversationOf(pre()).input, idempotencyKey: 'k\ud800' } }),
  },
  {
    name: 'emitEvent: idempotency key holding a NUL character',
    expect: bad('idempotencyKey'),
    run: () =>
      http(m.emit, { input: { ...preConversationOf(pre()).input, idempotencyKey: 'k\u0000' } }),
  },
  {
    name: 'emitEvent: idempotency key reused with another payload',
    expect: { code: 'CONFLICT' },
    run: () => http(m.emit, usedKeyWith('PRE_CONVERSATION', pre({ callId: 'other' }))),
  },
  {
    name: 'emitEvent: idempotency key reused with another type',
    expect: { code: 'CONFLICT' },
    run: () =>
      http(
        m.emit,
        usedKeyWith('ANALYTICS_COMPLETED', {
          callId: 'call_1',
          durationSeconds: 1,
          transcript: [],
          metrics: {},
          variables: {},
        }),
      ),
  },
  {
    name: 'emitEvent: idempotency key reused for another agent',
    expect: { code: 'CONFLICT' },
    run: () =>
      http(m.emit, { input: { ...preConversationOf(pre()).input, idempotencyKey: USED_KEY } }),
  },
  {
    name: 'createAgent: name holding an unpaired surrogate',
    expect: bad('name'),
    run: () => http(m.createAgent, { input: { name: 'Front\ud800desk' } }),
  },
  {
    name: 'updateAgent: name holding an unpaired surrogate',
    expect: bad('name'),
    run: () => http(m.updateAgent, { input: { id: ids.agentId, name: '\udbff' } }),
  },
  {
    name: 'createAgent: an unpaired surrogate escaped in a literal of the document',
    expect: { code: 'GRAPHQL_PARSE_FAILED' },
    run: () =>
      http('mutation { createAgent(input: { name: "Front\\ud800desk" }) { agent { id } } }'),
  },
  {
    name: 'createAgent: an unpaired surrogate written raw in the document',
    expect: { code: 'GRAPHQL_PARSE_FAILED' },
    run: () =>
      http('mutation { createAgent(input: { name: "Front\ud800desk" }) { agent { id } } }'),
  },
  {
    name: 'emitEvent: unknown event type',
    expect: bad('type'),
    run: () => http(m.emit, { input: { agentId: ids.agentId, type: 'NOPE', payload: pre() } }),
  },
  {
    name: 'emitEvent: unknown agent',
    expect: notFound,
    run: () =>
      http(m.emit, { input: { agentId: UNKNOWN.agent, type: 'PRE_CONVERSATION', payload: pre() } }),
  },
  {
    name: "emitEvent: another organization's agent",
    expect: notFound,
    run: () =>
      http(m.emit, {
        input: { agentId: foreign.agentId, type: 'PRE_CONVERSATION', payload: pre() },
      }),
  },
  {
    name: 'emitEvent: idempotency key too long',
    expect: bad('idempotencyKey'),
    run: () =>
      http(m.emit, {
        input: {
          agentId: ids.agentId,
          type: 'PRE_CONVERSATION',
          payload: pre(),
          idempotencyKey: 'k'.repeat(10_000),
        },
      }),
  },
  {
    name: "sendTestEvent: another organization's webhook",
    expect: notFound,
    run: () =>
      http(m.sendTest, { input: { webhookId: foreign.webhookId, type: 'PRE_CONVERSATION' } }),
  },
  {
    name: 'redeliver: unknown delivery',
    expect: notFound,
    run: () => http(m.redeliver, { input: { deliveryId: UNKNOWN.delivery } }),
  },
  {
    name: 'redeliver: id of another type',
    expect: notFound,
    run: () => http(m.redeliver, { input: { deliveryId: ids.agentId } }),
  },
  {
    name: 'replayFailedDeliveries: "yesterday" for a DateTime',
    expect: bad('since'),
    run: () => http(m.replay, { input: { webhookId: ids.webhookId, since: 'yesterday' } }),
  },
  {
    name: "replayFailedDeliveries: another organization's webhook",
    expect: notFound,
    run: () =>
      http(m.replay, { input: { webhookId: foreign.webhookId, since: '2026-01-01T00:00:00Z' } }),
  },
  // requestCallSetup, purgeCall, and the call settings of agents and webhooks
  {
    name: 'requestCallSetup: unknown agent',
    expect: notFound,
    run: () => http(m.callSetup, callSetupOf({ agentId: UNKNOWN.agent })),
  },
  {
    name: "requestCallSetup: another organization's agent",
    expect: notFound,
    run: () => http(m.callSetup, callSetupOf({ agentId: foreign.agentId })),
  },
  {
    name: 'requestCallSetup: payload missing callId',
    expect: bad('payload.callId'),
    run: () =>
      http(m.callSetup, callSetupOf({ payload: { callerPhoneNumber: PHONE, direction: 'in' } })),
  },
  {
    name: 'requestCallSetup: payload of another event type',
    expect: bad('payload.callerPhoneNumber'),
    run: () =>
      http(m.callSetup, callSetupOf({ payload: { callId: 'c', endedReason: 'caller_hung_up' } })),
  },
  {
    name: 'requestCallSetup: payload is an array',
    expect: bad('payload'),
    run: () => http(m.callSetup, callSetupOf({ payload: [pre()] })),
  },
  ...[0, 99, 10_001, -1, 2.5].map(
    (deadlineMs): Case => ({
      name: `requestCallSetup: deadlineMs ${deadlineMs}`,
      expect: bad('deadlineMs'),
      run: () => http(m.callSetup, callSetupOf({ deadlineMs })),
    }),
  ),
  {
    name: 'requestCallSetup: idempotency key too long',
    expect: bad('idempotencyKey'),
    run: () => http(m.callSetup, callSetupOf({ idempotencyKey: 'k'.repeat(256) })),
  },
  {
    name: 'requestCallSetup: an idempotency key used before for another event',
    expect: { code: 'CONFLICT' },
    run: () =>
      http(
        m.callSetup,
        callSetupOf({
          agentId: quietAgentId,
          payload: pre({ callId: 'another call' }),
          idempotencyKey: USED_KEY,
        }),
      ),
  },
  {
    name: 'purgeCall: empty callId',
    expect: bad('callId'),
    run: () => http(m.purgeCall, { input: { callId: '' } }),
  },
  {
    name: 'purgeCall: 10,000-character callId',
    expect: bad('callId'),
    run: () => http(m.purgeCall, { input: { callId: 'c'.repeat(10_000) } }),
  },
  ...(
    [
      ['an array', ['a']],
      ['a string', 'vip'],
      ['a number', 7],
      ['a nested object', { customer: { name: 'Ada' } }],
      ['a null value', { customer: null }],
      ['an array value', { tags: ['a'] }],
      ['an empty name', { '': 1 }],
      ['over 64 KiB', { big: 'x'.repeat(70_000) }],
    ] as const
  ).flatMap(([what, callSetupFallback]): Case[] => [
    {
      name: `createAgent: callSetupFallback ${what}`,
      expect: bad('callSetupFallback'),
      run: () => http(m.createAgent, { input: { name: 'Fallback', callSetupFallback } }),
    },
    {
      name: `updateAgent: callSetupFallback ${what}`,
      expect: bad('callSetupFallback'),
      run: () => http(m.updateAgent, { input: { id: ids.agentId, callSetupFallback } }),
    },
  ]),
  {
    name: 'createWebhook: "yes" for orderByCall',
    expect: bad('orderByCall'),
    run: () =>
      http(m.createWebhook, { input: { url: 'https://example.com/', orderByCall: 'yes' } }),
  },
  {
    name: 'attachWebhook: "yes" for respondsToCallSetup',
    expect: bad('respondsToCallSetup'),
    run: () =>
      http(m.attach, {
        input: {
          webhookId: ids.secondWebhookId,
          agentId: ids.agentId,
          events: ['PRE_CONVERSATION'],
          respondsToCallSetup: 'yes',
        },
      }),
  },
  {
    name: 'attachWebhook: a second call-setup responder for one agent',
    expect: { code: 'CONFLICT' },
    run: () =>
      http(m.attach, {
        input: {
          webhookId: ids.secondWebhookId,
          agentId: ids.agentId,
          events: ['PRE_CONVERSATION'],
          respondsToCallSetup: true,
        },
      }),
  },
  // keys and organizations
  {
    name: 'createApiKey: name too long',
    expect: bad('name'),
    run: () => http(m.createKey, { input: { name: 'k'.repeat(10_000) } }),
  },
  {
    name: 'createApiKey: name holding an unpaired surrogate',
    expect: bad('name'),
    run: () => http(m.createKey, { input: { name: 'ci\ud800' } }),
  },
  {
    name: 'createOrganization: name holding an unpaired surrogate',
    expect: bad('name'),
    run: () => http(m.createOrg, { input: { name: 'Evil\udc00' } }, TEST_ADMIN_KEY),
  },
  {
    name: "revokeApiKey: another organization's key",
    expect: notFound,
    run: () => http(m.revokeKey, { input: { id: foreign.apiKeyId } }),
  },
  {
    name: 'revokeApiKey: unknown key',
    expect: notFound,
    run: () => http(m.revokeKey, { input: { id: UNKNOWN.key } }),
  },
  {
    name: 'createOrganization: with an organization key',
    expect: { code: 'FORBIDDEN' },
    run: () => http(m.createOrg, { input: { name: 'Evil' } }),
  },
  // Roles (createApiKey)
  {
    name: 'createApiKey: unknown role',
    expect: bad('role'),
    run: () => http(m.createKey, { input: { name: 'ci', role: 'OWNER' } }),
  },
  {
    name: 'createApiKey: role of the wrong type',
    expect: bad('role'),
    run: () => http(m.createKey, { input: { name: 'ci', role: 1 } }),
  },
  {
    name: 'createApiKey: role literal in lower case',
    expect: invalid,
    run: () => http('mutation { createApiKey(input: { name: "ci", role: admin }) { apiKey } }'),
  },
  // Portal sessions
  {
    name: 'createPortalSession: role EMITTER (no dashboard)',
    expect: bad('role'),
    run: () => http(m.createPortal, { input: { role: 'EMITTER' } }),
  },
  {
    name: 'createPortalSession: unknown role',
    expect: bad('role'),
    run: () => http(m.createPortal, { input: { role: 'SUPERUSER' } }),
  },
  {
    name: 'createPortalSession: ttlSeconds 0',
    expect: bad('ttlSeconds'),
    run: () => http(m.createPortal, { input: { ttlSeconds: 0 } }),
  },
  {
    name: 'createPortalSession: negative ttlSeconds',
    expect: bad('ttlSeconds'),
    run: () => http(m.createPortal, { input: { ttlSeconds: -3600 } }),
  },
  {
    name: 'createPortalSession: ttlSeconds over 24 hours',
    expect: bad('ttlSeconds'),
    run: () => http(m.createPortal, { input: { ttlSeconds: 86_401 } }),
  },
  {
    name: 'createPortalSession: ttlSeconds beyond a 32-bit Int',
    expect: bad('ttlSeconds'),
    run: () => http(m.createPortal, { input: { ttlSeconds: 2 ** 40 } }),
  },
  {
    name: 'createPortalSession: fractional ttlSeconds',
    expect: bad('ttlSeconds'),
    run: () => http(m.createPortal, { input: { ttlSeconds: 1.5 } }),
  },
  {
    name: 'createPortalSession: the operator key without organizationId',
    expect: bad('organizationId'),
    run: () => http(m.createPortal, { input: {} }, TEST_ADMIN_KEY),
  },
  {
    name: "createPortalSession: an organization key for another organization's id",
    expect: notFound,
    run: () => http(m.createPortal, { input: { organizationId: foreign.organizationId } }),
  },
  {
    name: 'createPortalSession: no key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.createPortal, { input: {} }, null),
  },
  {
    name: 'startPortalSession: a token that is not one',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.startPortal, { input: { token: 'hlp_nope' } }, null),
  },
  {
    name: 'startPortalSession: a well-formed token nobody made',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.startPortal, { input: { token: `hlp_${'A'.repeat(43)}` } }, null),
  },
  {
    name: 'startPortalSession: an API key as the token',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.startPortal, { input: { token: key } }, null),
  },
  {
    name: 'startPortalSession: 100,000-character token',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.startPortal, { input: { token: 'x'.repeat(100_000) } }, null),
  },
  {
    name: 'startPortalSession: token missing',
    expect: bad('input'),
    run: () => http(m.startPortal, { input: {} }, null),
  },
  {
    name: 'revokePortalSessions: the operator key without organizationId',
    expect: bad('organizationId'),
    run: () => http(m.revokePortals, { input: {} }, TEST_ADMIN_KEY),
  },
  {
    name: "revokePortalSessions: another organization's id",
    expect: notFound,
    run: () => http(m.revokePortals, { input: { organizationId: foreign.organizationId } }),
  },
  // Branding
  {
    name: 'setBranding: a colour name, not #rrggbb',
    expect: bad('accentColor'),
    run: () => http(m.setBranding, { input: { accentColor: 'red' } }),
  },
  {
    name: 'setBranding: CSS smuggled in the colour',
    expect: bad('accentColor'),
    run: () => http(m.setBranding, { input: { accentColor: '#000000; background: url(x)' } }),
  },
  {
    name: 'setBranding: five hex digits',
    expect: bad('accentColor'),
    run: () => http(m.setBranding, { input: { accentColor: '#12345' } }),
  },
  {
    name: 'setBranding: 61-character platform name',
    expect: bad('platformName'),
    run: () => http(m.setBranding, { input: { platformName: 'p'.repeat(61) } }),
  },
  {
    name: 'setBranding: blank platform name',
    expect: bad('platformName'),
    run: () => http(m.setBranding, { input: { platformName: '   ' } }),
  },
  {
    name: "setBranding: another organization's id",
    expect: notFound,
    run: () =>
      http(m.setBranding, {
        input: { organizationId: foreign.organizationId, platformName: 'Mine now' },
      }),
  },
  // Operational webhook and operational event types
  {
    name: 'setOperationalWebhook: not a URL',
    expect: bad('url'),
    run: () => http(m.setOperational, { input: { url: 'ops' } }),
  },
  {
    name: 'setOperationalWebhook: private address',
    expect: bad('url'),
    run: () => http(m.setOperational, { input: { url: 'http://192.168.0.10/ops' } }),
  },
  {
    name: 'setOperationalWebhook: URL with credentials',
    expect: bad('url'),
    run: () => http(m.setOperational, { input: { url: 'https://a:b@example.com/ops' } }),
  },
  {
    name: 'setOperationalWebhook: the operator key',
    expect: { code: 'FORBIDDEN' },
    run: () =>
      http(m.setOperational, { input: { url: 'https://example.com/ops' } }, TEST_ADMIN_KEY),
  },
  {
    name: 'emitEvent: an operational event type',
    expect: bad('type'),
    run: () =>
      http(m.emit, { input: { agentId: ids.agentId, type: 'ENDPOINT_DISABLED', payload: {} } }),
  },
  {
    name: 'attachWebhook: an operational event type',
    expect: bad('events'),
    run: () =>
      http(m.attach, {
        input: { webhookId: ids.webhookId, agentId: ids.agentId, events: ['DELIVERY_EXHAUSTED'] },
      }),
  },
  {
    name: 'sendTestEvent: an operational event type to an ordinary webhook',
    expect: bad('type'),
    run: () =>
      http(m.sendTest, { input: { webhookId: ids.webhookId, type: 'ENDPOINT_CIRCUIT_OPENED' } }),
  },
  // Static headers (createWebhook / updateWebhook)
  {
    name: 'createWebhook: header named webhook-signature',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'webhook-signature', value: 'v1,x' }])),
  },
  {
    name: 'createWebhook: header named Host',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'Host', value: 'internal.example' }])),
  },
  {
    name: 'createWebhook: header named Content-Length',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'Content-Length', value: '0' }])),
  },
  {
    name: 'createWebhook: header named Transfer-Encoding',
    expect: bad('headers.0.name'),
    run: () =>
      http(m.createWebhook, withHeaders([{ name: 'Transfer-Encoding', value: 'chunked' }])),
  },
  {
    name: 'createWebhook: header named Content-Type',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'content-type', value: 'text/plain' }])),
  },
  {
    name: 'createWebhook: header named User-Agent',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'User-Agent', value: 'curl' }])),
  },
  {
    name: 'createWebhook: header name with a space',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X Tenant', value: 'a' }])),
  },
  {
    name: 'createWebhook: header name with a colon',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X-A: b', value: 'a' }])),
  },
  {
    name: 'createWebhook: empty header name',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: '', value: 'a' }])),
  },
  {
    name: 'createWebhook: 65-character header name',
    expect: bad('headers.0.name'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X'.repeat(65), value: 'a' }])),
  },
  {
    name: 'createWebhook: header value with CR LF (header injection)',
    expect: bad('headers.0.value'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X-A', value: 'a\r\nX-Injected: 1' }])),
  },
  {
    name: 'createWebhook: header value over 1,024 characters',
    expect: bad('headers.0.value'),
    run: () =>
      http(m.createWebhook, withHeaders([{ name: 'Authorization', value: 'b'.repeat(1_025) }])),
  },
  {
    name: 'createWebhook: header value that is not ASCII',
    expect: bad('headers.0.value'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X-Name', value: 'Zoë' }])),
  },
  {
    name: 'createWebhook: the same header twice, in other cases',
    expect: bad('headers.1.name'),
    run: () =>
      http(
        m.createWebhook,
        withHeaders([
          { name: 'X-Tenant', value: 'a' },
          { name: 'x-tenant', value: 'b' },
        ]),
      ),
  },
  {
    name: 'createWebhook: eleven headers',
    expect: bad('headers'),
    run: () =>
      http(
        m.createWebhook,
        withHeaders(Array.from({ length: 11 }, (_, i) => ({ name: `X-H${i}`, value: 'v' }))),
      ),
  },
  {
    name: 'createWebhook: header without a value',
    expect: bad('headers[0]'),
    run: () => http(m.createWebhook, withHeaders([{ name: 'X-A' }])),
  },
  {
    name: 'updateWebhook: header named webhook-id',
    expect: bad('headers.0.name'),
    run: () =>
      http(m.updateWebhook, {
        input: { id: ids.webhookId, headers: [{ name: 'Webhook-Id', value: 'dlv_x' }] },
      }),
  },
  {
    name: 'updateWebhook: header named traceparent',
    expect: bad('headers.0.name'),
    run: () =>
      http(m.updateWebhook, {
        input: { id: ids.webhookId, headers: [{ name: 'traceparent', value: '00-x' }] },
      }),
  },
  {
    name: 'createApiKey: the operator key without organizationId',
    expect: bad('organizationId'),
    run: () => http(m.createKey, { input: { name: 'ci' } }, TEST_ADMIN_KEY),
  },
  {
    name: 'createApiKey: the operator key for an unknown organization',
    expect: notFound,
    run: () =>
      http(m.createKey, { input: { name: 'ci', organizationId: 'org_nope' } }, TEST_ADMIN_KEY),
  },
  {
    name: "createApiKey: an organization key for another organization's id",
    expect: notFound,
    run: () => http(m.createKey, { input: { name: 'ci', organizationId: foreign.organizationId } }),
  },
  {
    name: 'revokeOperatorKey: the last operator key',
    expect: { code: 'CONFLICT' },
    run: async () =>
      http(m.revokeOperatorKey, { input: { id: await operatorKeyId() } }, TEST_ADMIN_KEY),
  },
  {
    name: 'revokeOperatorKey: unknown key',
    expect: notFound,
    run: () => http(m.revokeOperatorKey, { input: { id: UNKNOWN.key } }, TEST_ADMIN_KEY),
  },
  {
    name: "revokeOperatorKey: an organization's key",
    expect: notFound,
    run: () => http(m.revokeOperatorKey, { input: { id: foreign.apiKeyId } }, TEST_ADMIN_KEY),
  },
  {
    name: 'revokeOperatorKey: with an organization key',
    expect: { code: 'FORBIDDEN' },
    run: async () => http(m.revokeOperatorKey, { input: { id: await operatorKeyId() } }),
  },
  {
    name: 'revokeOperatorKey: NUL in the id',
    expect: bad(),
    run: () => http(m.revokeOperatorKey, { input: { id: 'key_\u0000' } }, TEST_ADMIN_KEY),
  },
  {
    name: 'operatorKeys: with an organization key',
    expect: { code: 'FORBIDDEN' },
    run: () => http(m.operatorKeys),
  },
  {
    name: 'operatorKeys: without a key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.operatorKeys, {}, null),
  },
  {
    name: 'createOrganization: without a key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.createOrg, { input: { name: 'Anon' } }, null),
  },
  {
    name: 'a mutation with a malformed key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.createAgent, { input: { name: 'x' } }, 'hkl_short'),
  },
  {
    name: 'a mutation with a forged key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http(m.createAgent, { input: { name: 'x' } }, `hkl_${'A'.repeat(43)}`),
  },
  {
    name: 'a mutation with Basic auth',
    expect: { code: 'UNAUTHENTICATED' },
    run: () =>
      raw(JSON.stringify({ query: m.createAgent, variables: { input: { name: 'x' } } }), {
        authorization: 'Basic YWRtaW46YWRtaW4=',
      }),
  },
  {
    name: 'a mutation with an unknown field',
    expect: invalid,
    run: () => http('mutation { createAgent(input: { name: "x" }) { agent { id password } } }'),
  },
  {
    name: 'a mutation over GET',
    expect: { status: 405, code: 'BAD_REQUEST' },
    run: async () => {
      const r = await fetch(
        `${server.url}/graphql?query=${encodeURIComponent('mutation { createAgent(input: { name: "get" }) { agent { id } } }')}`,
        { headers: { authorization: `Bearer ${key}` } },
      );
      return {
        status: r.status,
        code: ((await r.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]
          ?.extensions.code,
      };
    },
  },
  // queries
  { name: 'node: garbage id', expect: notFound, run: () => http('{ node(id: "garbage") { id } }') },
  {
    name: 'deliveries: negative page size',
    expect: bad('first'),
    run: () => http('{ deliveries(first: -1) { edges { node { id } } } }'),
  },
  {
    name: 'events: unknown enum literal',
    expect: invalid,
    run: () => http('{ events(type: NOPE) { edges { node { id } } } }'),
  },
  {
    name: 'Webhook.timeline: unknown window literal',
    expect: invalid,
    run: () =>
      http(`{ webhook(id: "${ids.webhookId}") { timeline(window: LAST_YEAR) { startsAt } } }`),
  },
  {
    name: 'Webhook.timeline: null window',
    expect: invalid,
    run: () => http(`{ webhook(id: "${ids.webhookId}") { timeline(window: null) { startsAt } } }`),
  },
  {
    name: 'Webhook.timeline: unknown window in a variable',
    expect: bad('window'),
    run: () =>
      http(
        'query($id: ID!, $window: StatsWindow!) { webhook(id: $id) { timeline(window: $window) { startsAt } } }',
        { id: ids.webhookId, window: 'LAST_YEAR' },
      ),
  },
  {
    name: 'Webhook.timeline: a window as a number',
    expect: bad('window'),
    run: () =>
      http(
        'query($id: ID!, $window: StatsWindow!) { webhook(id: $id) { timeline(window: $window) { startsAt } } }',
        { id: ids.webhookId, window: 3600 },
      ),
  },
  {
    name: 'Organization.timeline: unknown window literal',
    expect: invalid,
    run: () => http('{ organization { timeline(window: FOREVER) { startsAt } } }'),
  },
  {
    name: 'Organization.failingWebhooks: unknown window in a variable',
    expect: bad('window'),
    run: () =>
      http(
        'query($window: StatsWindow!) { organization { failingWebhooks(window: $window) { failureRate } } }',
        { window: 'last_hour' },
      ),
  },
  {
    name: 'Organization.failingWebhooks: an argument it does not have',
    expect: invalid,
    run: () => http('{ organization { failingWebhooks(first: 1000) { failureRate } } }'),
  },
  {
    name: 'webhooks: Int for a Boolean variable',
    expect: bad('enabled'),
    run: () =>
      http('query($enabled: Boolean) { webhooks(enabled: $enabled) { edges { node { id } } } }', {
        enabled: 3,
      }),
  },
  {
    name: 'agents: unknown field',
    expect: invalid,
    run: () => http('{ agents { edges { node { id secret } } } }'),
  },
  {
    name: 'agents: without a key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => http('{ agents { edges { node { id } } } }', {}, null),
  },
  {
    name: 'agents: with the operator key',
    expect: { code: 'FORBIDDEN' },
    run: () => http('{ agents { edges { node { id } } } }', {}, TEST_ADMIN_KEY),
  },
  {
    name: 'deep query: agents and webhooks, 18 levels',
    expect: limit('depth'),
    run: () =>
      http(
        `{ agents { edges { node { ${nested(5, 'subscriptions { webhook { subscriptions { agent { ', 'id')}${'}'.repeat(15)} } } } }`,
      ),
  },
  {
    name: 'wide query: nested connections',
    expect: limit('cost'),
    run: () =>
      http(
        '{ webhooks(first: 100) { edges { node { deliveries(first: 100) { edges { node { attempts { id } } } } } } } }',
      ),
  },
  {
    name: 'aliased query: 101 aliases',
    expect: limit('aliases'),
    run: () =>
      http(`{ ${Array.from({ length: 101 }, (_, i) => `a${i}: organization { id }`).join(' ')} }`),
  },
  {
    name: 'directive flood',
    expect: limit('directives'),
    run: () => http(`{ ${'__typename @skip(if: false) '.repeat(60)} }`),
  },
  {
    name: 'token flood',
    expect: limit('tokens'),
    run: () => http(`{ ${'organization { id } '.repeat(1_000)} }`),
  },
  {
    name: 'fragment bomb',
    expect: limit('cost'),
    run: () =>
      http(
        `{ organization { ...F20 } } fragment F0 on Organization { id } ${Array.from({ length: 20 }, (_, i) => `fragment F${i + 1} on Organization { ...F${i} ...F${i} }`).join(' ')}`,
      ),
  },
  {
    name: 'fragment cycle',
    expect: invalid,
    run: () =>
      http(
        '{ organization { ...A } } fragment A on Organization { id ...B } fragment B on Organization { ...A }',
      ),
  },
  {
    name: 'introspection: __type nested 20 ofType deep',
    expect: limit('depth'),
    run: () => http(`{ __type(name: "Webhook") { ${nested(20, 'ofType { ', 'name')} } }`, {}, null),
  },
  {
    name: 'introspection: fields nested three deep',
    expect: invalid,
    run: () =>
      http(
        `{ __type(name: "Query") { ${nested(3, 'fields { type { ', 'name')}${'}'.repeat(3)} } }`,
        {},
        undefined,
      ),
  },
  {
    name: 'introspection: lists of lists fanning out',
    expect: limit('cost'),
    run: () =>
      http(
        '{ __schema { types { fields { args { type { fields { args { type { name } } } } } } } } }',
        {},
        undefined,
      ),
  },
  {
    name: 'malformed GraphQL',
    expect: { code: 'GRAPHQL_PARSE_FAILED' },
    run: () => http('{ agents { edges { node { id }'),
  },
  {
    name: 'two operations, no operationName',
    expect: { code: 'OPERATION_RESOLUTION_FAILURE' },
    run: () => http('query A { __typename } query B { __typename }'),
  },
  // the HTTP request itself
  {
    name: 'malformed JSON body',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () => raw('{"query": "{ __typename }"'),
  },
  {
    name: 'JSON body that is a string',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () => raw('"{ __typename }"'),
  },
  {
    name: 'query that is not a string',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () => raw('{"query": 42}'),
  },
  {
    name: 'variables that are not an object',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () => raw('{"query": "{ __typename }", "variables": "x"}'),
  },
  {
    name: 'unknown body parameter',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () => raw('{"query": "{ __typename }", "sql": "drop table agents"}'),
  },
  {
    name: 'non-JSON content type',
    expect: { status: 415 },
    run: () => raw('{ __typename }', { 'content-type': 'text/plain' }),
  },
  {
    name: 'a mutation posted as application/x-www-form-urlencoded (a form on any web page)',
    expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    run: () =>
      posted(
        `query=${encodeURIComponent('mutation { createAgent(input: { name: "form" }) { agent { id } } }')}`,
        'application/x-www-form-urlencoded',
      ),
  },
  {
    name: 'a mutation posted as multipart/form-data',
    expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    run: () =>
      posted(
        `--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: m.createAgent, variables: { input: { name: 'multipart' } } })}\r\n--b--\r\n`,
        'multipart/form-data; boundary=b',
      ),
  },
  {
    name: 'a mutation posted as application/graphql',
    expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    run: () =>
      posted(
        'mutation { createAgent(input: { name: "sdl" }) { agent { id } } }',
        'application/graphql',
      ),
  },
  {
    name: 'a mutation posted without a content type',
    expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    run: () =>
      posted(
        JSON.stringify({ query: m.createAgent, variables: { input: { name: 'none' } } }),
        undefined,
      ),
  },
  {
    name: 'batched operations',
    expect: { status: 400, code: 'BAD_REQUEST' },
    run: () =>
      raw(`[${JSON.stringify({ query: m.createAgent, variables: { input: { name: 'batch' } } })}]`),
  },
  {
    name: 'body over 1 MiB',
    expect: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE' },
    run: () =>
      raw(
        JSON.stringify({
          query: m.createAgent,
          variables: { input: { name: 'x'.repeat(1_100_000) } },
        }),
      ),
  },
  // subscriptions and WebSocket
  {
    name: 'subscription: no key',
    expect: { close: 4401 },
    run: () => ws('subscription { deliveryUpdated { id } }', {}, null),
  },
  {
    name: 'subscription: unknown key',
    expect: { close: 4403 },
    run: () => ws('subscription { deliveryUpdated { id } }', {}, `hkl_${'B'.repeat(43)}`),
  },
  {
    name: 'subscription: the operator key',
    expect: { code: 'FORBIDDEN' },
    run: () => ws('subscription { deliveryUpdated { id } }', {}, TEST_ADMIN_KEY),
  },
  {
    name: 'subscription: unknown status literal',
    expect: invalid,
    run: () => ws('subscription { deliveryUpdated(status: EXPLODED) { id } }'),
  },
  {
    name: 'subscription: Int for an EventType variable',
    expect: bad('eventType'),
    run: () =>
      ws('subscription($eventType: EventType) { deliveryAttempts(eventType: $eventType) { id } }', {
        eventType: 5,
      }),
  },
  {
    name: 'subscription: unknown field',
    expect: invalid,
    run: () => ws('subscription { deliveryAttempts { id password } }'),
  },
  {
    name: 'subscription: malformed GraphQL',
    expect: { code: 'GRAPHQL_PARSE_FAILED' },
    run: () => ws('subscription { deliveryAttempts { id '),
  },
  {
    name: 'subscription: too deep',
    expect: limit('depth'),
    run: () =>
      ws(
        `subscription { deliveryAttempts { delivery { webhook { ${nested(7, 'subscriptions { agent { ', 'id')}${'}'.repeat(7)} } } } }`,
      ),
  },
  {
    name: 'subscription: a variable holding an unpaired surrogate',
    expect: bad('webhookId'),
    run: () =>
      ws('subscription($webhookId: ID) { deliveryAttempts(webhookId: $webhookId) { id } }', {
        webhookId: 'whk_\ud800',
      }),
  },
  {
    name: 'subscription: after that is not an attempt id',
    expect: bad('after'),
    run: () => ws('subscription { deliveryAttempts(after: "nope") { id } }'),
  },
  {
    name: "subscription: after, a recent attempt id that is not the organization's",
    expect: bad('after'),
    run: () =>
      ws('subscription($after: ID) { deliveryAttempts(after: $after) { id } }', {
        after: `att_${ulid()}`,
      }),
  },
  {
    name: 'subscription: deliveryUpdated after an attempt id (it takes a changeId)',
    expect: bad('after'),
    run: () =>
      ws('subscription($after: ID) { deliveryUpdated(after: $after) { id } }', {
        after: `att_${ulid()}`,
      }),
  },
  {
    name: 'WebSocket: 101 operations open at once on one connection (the default cap is 100)',
    expect: { close: 4429 },
    run: async () => {
      const connection = await RawGraphqlWs.connect(server.url, key);
      try {
        for (let i = 0; i < 101; i++)
          connection.subscribe('subscription { deliveryUpdated { id } }');
        return { close: (await connection.closed).code };
      } finally {
        connection.close();
      }
    },
  },
  {
    name: 'WebSocket: a 51st live connection of one key (the default cap is 50)',
    expect: { close: 4429 },
    run: () =>
      holding(50, capKeys[0]!, async () => {
        const connection = await RawGraphqlWs.connect(server.url, capKeys[0]);
        return { close: (await connection.closed).code };
      }),
  },
  {
    name: 'subscription over SSE: a 51st live connection of one key',
    expect: { status: 429, code: 'RATE_LIMITED', limit: 'connectionsPerKey' },
    run: () =>
      holding(50, capKeys[1]!, () => sse('subscription { deliveryUpdated { id } }', capKeys[1])),
  },
  {
    name: 'subscription over SSE: no key',
    expect: { code: 'UNAUTHENTICATED' },
    run: () => sse('subscription { deliveryUpdated { id } }'),
  },
  {
    name: 'WebSocket: message over 64 KiB',
    expect: { close: 1009 },
    run: () =>
      wsMessage(
        JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: {
            query: '{ __typename }',
            variables: { pad: 'x'.repeat(MAX_WS_MESSAGE_BYTES) },
          },
        }),
      ),
  },
  {
    name: 'WebSocket: message that is not JSON',
    expect: { close: 4400 },
    run: () => wsMessage('{ not json'),
  },
  {
    name: 'WebSocket: subscribe before connection_init',
    expect: { close: 4401 },
    run: () =>
      wsMessage(
        JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }),
        false,
      ),
  },
];

describe('bad input changes nothing, says what is wrong, and harms nothing', () => {
  test('the catalog is large enough', () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const before = await countRows(server);
      const outcome = await c.run();
      const expected = c.expect;
      if ('close' in expected) {
        assert.equal(outcome.close, expected.close, JSON.stringify(outcome));
      } else {
        if ('status' in expected) assert.equal(outcome.status, expected.status);
        if (expected.code) assert.equal(outcome.code, expected.code, JSON.stringify(outcome));
        if ('field' in expected && expected.field) assert.equal(outcome.field, expected.field);
        if ('limit' in expected && expected.limit) assert.equal(outcome.limit, expected.limit);
      }
      if (outcome.contentType?.includes('application/graphql-response+json') && !outcome.hasData) {
        const status = outcome.status ?? 0;
        assert.ok(status >= 400 && status < 500, `no data, so a 4xx status: ${status}`);
      }
      assert.deepEqual(await countRows(server), before, 'the database is unchanged');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const follow = await postGraphQL(server.url, '{ organization { name } }', {}, key);
      assert.deepEqual(follow.json?.data, { organization: { name: 'Mine' } });
    });
  }
});
