import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AgentsDocument, CreateAgentDocument, CreateApiKeyDocument } from '@hookline/client';
import { ConfigError, parseConfig } from '../../src/config/config.ts';
import { limitPlugins } from '../../src/http/limits.ts';
import { expectCode } from '../support/assertions.ts';
import { countRows } from '../support/database.ts';
import { subscribersToBe } from '../support/live.ts';
import { codeOf, postGraphQL, RawGraphqlWs } from '../support/raw.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The per-key mutation rate limit, with a bucket of 3 (one token back every 20 s, far longer
 * than these tests take, so nothing here depends on timing).
 */
const PER_MINUTE = 3;
let server: TestServer;

before(async () => {
  server = await startTestServer('security_rate_limit', {
    HOOKLINE_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
  });
});
after(() => server.stop());

const createAgent = (name: string) =>
  `mutation { createAgent(input: { name: "${name}" }) { agent { id } } }`;

/** A fresh organization whose default key has not made a mutation yet. */
async function freshKey() {
  return server.newOrganization();
}

describe('mutations per API key', () => {
  test('past the bucket, a mutation is refused with RATE_LIMITED, 429 and Retry-After, and changes nothing', async () => {
    const { client, apiKey } = await freshKey();
    for (let i = 0; i < PER_MINUTE; i++) {
      await client.request(CreateAgentDocument, { input: { name: `agent ${i}` } });
    }
    const before = await countRows(server);
    const refused = await postGraphQL(server.url, createAgent('one too many'), {}, apiKey);
    assert.equal(refused.status, 429);
    assert.equal(codeOf(refused), 'RATE_LIMITED');
    const retryAfter = refused.json?.errors?.[0]?.extensions?.retryAfterSeconds;
    assert.ok(
      typeof retryAfter === 'number' && retryAfter >= 1 && retryAfter <= 60,
      `${retryAfter}`,
    );
    assert.equal(refused.headers.get('retry-after'), String(retryAfter));
    assert.equal(refused.json?.errors?.[0]?.extensions?.http, undefined, 'no transport internals');
    assert.deepEqual(await countRows(server), before);

    const error = await expectCode(
      client.request(CreateAgentDocument, { input: { name: 'typed client' } }),
      'RATE_LIMITED',
    );
    assert.equal(error.status, 429);
  });

  test('queries and subscriptions of a limited key are not limited', async () => {
    const { client, apiKey } = await freshKey();
    for (let i = 0; i < PER_MINUTE; i++) {
      await client.request(CreateAgentDocument, { input: { name: `agent ${i}` } });
    }
    await expectCode(client.request(CreateAgentDocument, { input: { name: 'x' } }), 'RATE_LIMITED');
    for (let i = 0; i < 2 * PER_MINUTE; i++) {
      const agents = await client.request(AgentsDocument, {});
      assert.equal(agents.agents.edges.length, PER_MINUTE);
    }
    const ws = await RawGraphqlWs.connect(server.url, apiKey);
    try {
      const ids = [ws.subscribe('subscription { deliveryUpdated { id } }')];
      ids.push(ws.subscribe('subscription { deliveryAttempts { id } }'));
      await subscribersToBe(server.hookline.runtime.liveFeeds, 2);
    } finally {
      ws.close();
    }
    await subscribersToBe(server.hookline.runtime.liveFeeds, 0);
  });

  test('each key has its own bucket', async () => {
    const { client, apiKey } = await freshKey();
    const second = (await client.request(CreateApiKeyDocument, { input: { name: 'second' } }))
      .createApiKey.apiKey;
    for (let i = 0; i < PER_MINUTE - 1; i++) {
      await postGraphQL(server.url, createAgent(`a${i}`), {}, apiKey);
    }
    assert.equal(
      codeOf(await postGraphQL(server.url, createAgent('x'), {}, apiKey)),
      'RATE_LIMITED',
    );
    const other = await postGraphQL(server.url, createAgent('other key'), {}, second);
    assert.equal(other.status, 200);
    assert.equal(other.json?.errors, undefined);
  });

  test('every root field counts: two aliased mutations take two tokens', async () => {
    const { apiKey } = await freshKey();
    const two = `mutation { a: createAgent(input: { name: "a" }) { agent { id } } b: createAgent(input: { name: "b" }) { agent { id } } }`;
    assert.equal((await postGraphQL(server.url, two, {}, apiKey)).json?.errors, undefined);
    const before = await countRows(server);
    assert.equal(codeOf(await postGraphQL(server.url, two, {}, apiKey)), 'RATE_LIMITED');
    assert.deepEqual(await countRows(server), before, 'none of the two ran');
    assert.equal((await postGraphQL(server.url, createAgent('c'), {}, apiKey)).status, 200);
  });

  test('over WebSocket: the same limit and retry hint, without HTTP extensions', async () => {
    const { apiKey } = await freshKey();
    const ws = await RawGraphqlWs.connect(server.url, apiKey);
    try {
      for (let i = 0; i < PER_MINUTE; i++) {
        const done = await ws.run(createAgent(`ws ${i}`));
        assert.equal(done.results[0]?.errors, undefined);
      }
      const refused = await ws.run(createAgent('ws too many'));
      const error = refused.results[0]?.errors?.[0];
      assert.equal(error?.extensions?.code, 'RATE_LIMITED');
      assert.ok((error?.extensions?.retryAfterSeconds as number) >= 1);
      assert.equal(error?.extensions?.http, undefined);
      assert.ok(ws.isOpen);
    } finally {
      ws.close();
    }
  });
});

describe('the operator key', () => {
  test('is not limited: it provisions organizations in bulk', async () => {
    for (let i = 0; i < 2 * PER_MINUTE; i++) await server.newOrganization(`bulk ${i}`);
  });
});

describe('HOOKLINE_RATE_LIMIT_PER_MINUTE', () => {
  test('defaults to 600; 0 turns the limit off; a negative value is a configuration error', () => {
    assert.equal(parseConfig({}).rateLimitPerMinute, 600);
    assert.equal(parseConfig({ HOOKLINE_RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute, 0);
    assert.equal(limitPlugins({ rateLimitPerMinute: 0 }).length, 1, 'query limits only');
    assert.equal(limitPlugins({ rateLimitPerMinute: 600 }).length, 2);
    assert.throws(() => parseConfig({ HOOKLINE_RATE_LIMIT_PER_MINUTE: '-1' }), ConfigError);
  });
});
