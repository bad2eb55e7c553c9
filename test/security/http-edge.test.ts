import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditServer } from 'graphql-http';
import { countRows } from '../support/database.ts';
import { postRaw } from '../support/raw.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The HTTP edge of /graphql: it conforms to the GraphQL-over-HTTP spec (graphql-http's own audit
 * suite, run against the real server), takes operations only as JSON, answers a response without
 * `data` with a 4xx, and allows cross-origin calls only from the configured origins, never with
 * credentials.
 */
let server: TestServer;
let apiKey: string;
let withCors: TestServer;
const ALLOWED = 'https://app.example.com';
const OTHER_ALLOWED = 'http://localhost:5173';

before(async () => {
  server = await startTestServer('http_edge');
  apiKey = (await server.newOrganization()).apiKey;
  withCors = await startTestServer('http_edge_cors', {
    HOOKLINE_CORS_ORIGINS: `${ALLOWED}, ${OTHER_ALLOWED}/`,
  });
});
after(async () => {
  await server.stop();
  await withCors.stop();
});

const CREATE_AGENT = JSON.stringify({
  query: 'mutation { createAgent(input: { name: "posted" }) { agent { id } } }',
});

describe('GraphQL over HTTP', () => {
  test("graphql-http's server audit passes, every audit", async () => {
    const results = await auditServer({ url: `${server.url}/graphql`, fetchFn: fetch });
    const failed = results.filter((result) => result.status !== 'ok');
    assert.deepEqual(
      failed.map(
        (result) => `${result.id} ${result.name}: ${'reason' in result ? result.reason : ''}`,
      ),
      [],
    );
    assert.ok(results.length >= 60, `${results.length} audits`);
  });

  test('a response without data under application/graphql-response+json has a 4xx status; under application/json, 200', async () => {
    const body = JSON.stringify({
      query: 'mutation($name: String!) { createAgent(input: { name: $name }) { agent { id } } }',
      variables: { name: 'Front\ud800desk' },
    });
    const strict = await postRaw(server.url, body, {
      apiKey,
      headers: { accept: 'application/graphql-response+json' },
    });
    assert.equal(strict.status, 400);
    assert.match(strict.headers.get('content-type') ?? '', /application\/graphql-response\+json/);
    assert.equal(strict.json?.data, undefined);
    assert.equal(strict.json?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(strict.json?.errors?.[0]?.extensions?.http, undefined, 'internals stay inside');
    const legacy = await postRaw(server.url, body, {
      apiKey,
      headers: { accept: 'application/json' },
    });
    assert.equal(legacy.status, 200);
    assert.equal(legacy.json?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  const notJson: Array<[string, string | undefined, string]> = [
    [
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
      `query=${encodeURIComponent('mutation { createAgent(input: { name: "form" }) { agent { id } } }')}`,
    ],
    [
      'multipart/form-data',
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${CREATE_AGENT}\r\n--x--\r\n`,
    ],
    [
      'application/graphql',
      'application/graphql',
      'mutation { createAgent(input: { name: "graphql" }) { agent { id } } }',
    ],
    ['text/plain', 'text/plain', CREATE_AGENT],
    ['application/graphql+json', 'application/graphql+json', CREATE_AGENT],
    ['no content type', undefined, CREATE_AGENT],
  ];
  for (const [name, contentType, body] of notJson) {
    test(`a mutation posted as ${name} is refused with 415 and does not run`, async () => {
      const before = await countRows(server);
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/graphql-response+json',
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        // A string body gets text/plain from fetch: a Blob without a type sends no header.
        body: contentType ? body : new Blob([body]),
      });
      assert.equal(response.status, 415);
      const json = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      assert.equal(json.errors[0]?.extensions.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.deepEqual(await countRows(server), before);
    });
  }

  test('application/json with a charset parameter is accepted', async () => {
    const response = await postRaw(server.url, CREATE_AGENT, {
      apiKey,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    assert.equal(response.status, 200);
    assert.ok((response.json?.data as { createAgent?: unknown } | undefined)?.createAgent);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const post = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });

  test('is off by default: no origin is allowed, credentials never', async () => {
    for (const response of [
      await post(server.url, 'https://evil.example'),
      await preflight(server.url, 'https://evil.example'),
    ]) {
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    }
  });

  test('HOOKLINE_CORS_ORIGINS allows exactly the listed origins, without credentials', async () => {
    for (const origin of [ALLOWED, OTHER_ALLOWED]) {
      const response = await post(withCors.url, origin);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
      assert.match(response.headers.get('vary') ?? '', /origin/i);
      const allowed = await preflight(withCors.url, origin);
      assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
      assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.equal(allowed.headers.get('access-control-allow-credentials'), null);
    }
    for (const origin of ['https://evil.example', 'null', `${ALLOWED}.evil.example`]) {
      const response = await post(withCors.url, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
      assert.match(response.headers.get('vary') ?? '', /origin/i);
      const refused = await preflight(withCors.url, origin);
      assert.equal(refused.headers.get('access-control-allow-origin'), null, origin);
    }
  });
});
