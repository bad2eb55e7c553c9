import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { DEFAULT_QUERY_LIMITS, MAX_REQUEST_BODY_BYTES } from '../../src/http/limits.ts';
import { MAX_WS_MESSAGE_BYTES } from '../../src/http/websocket.ts';
import { countRows } from '../support/database.ts';
import { codeOf, postGraphQL, postRaw, RawGraphqlWs } from '../support/raw.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The query limits, the request body limit and the WebSocket message limit, seen from outside:
 * the same document is refused the same way over HTTP and over graphql-ws (whose operations run
 * through Yoga's envelop), and nothing a limit refuses harms the process or the connection.
 */
let server: TestServer;
let apiKey: string;
let ws: RawGraphqlWs;

before(async () => {
  server = await startTestServer('security_limits');
  apiKey = (await server.newOrganization()).apiKey;
  ws = await RawGraphqlWs.connect(server.url, apiKey);
});
after(async () => {
  ws.close();
  await server.stop();
});

const nest = (depth: number, open: string, leaf: string) =>
  `${open.repeat(depth)} ${leaf} ${'}'.repeat(depth)}`;

/** `__type(name: "Query") { ofType { ofType ... { name } } }`: deep, but cheap. */
const deepType = (ofTypes: number) =>
  `{ __type(name: "Query") { ${nest(ofTypes, 'ofType { ', 'name')} } }`;

/**
 * Lists inside lists under __schema: each level ten times more. (graphql 17's own
 * MaxIntrospectionDepth rule refuses `fields` nested three deep; `args` is not counted there.)
 */
const fanOutIntrospection = (levels: number) =>
  `{ __schema { types { ${nest(levels, 'fields { args { type { ', 'name')}${'}'.repeat(levels * 2)} } } }`;

const aliases = (count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }`;

const directives = (count: number) =>
  `{ ${Array.from({ length: count }, () => '__typename @include(if: true)').join(' ')} }`;

const limitCases: Array<{ name: string; query: string; limit: string }> = [
  { name: 'depth: 17 nested fields', query: deepType(15), limit: 'depth' },
  {
    name: 'cost: introspection fanning out five list levels',
    query: fanOutIntrospection(2),
    limit: 'cost',
  },
  {
    name: 'cost: 100 deliveries, each with 100 deliveries of its webhook',
    query:
      '{ deliveries(first: 100) { edges { node { webhook { deliveries(first: 100) { edges { node { id attempts { id } } } } } } } } }',
    limit: 'cost',
  },
  {
    name: `aliases: ${DEFAULT_QUERY_LIMITS.maxAliases + 1}`,
    query: aliases(DEFAULT_QUERY_LIMITS.maxAliases + 1),
    limit: 'aliases',
  },
  {
    name: `directives: ${DEFAULT_QUERY_LIMITS.maxDirectives + 1}`,
    query: directives(DEFAULT_QUERY_LIMITS.maxDirectives + 1),
    limit: 'directives',
  },
  {
    name: `tokens: more than ${DEFAULT_QUERY_LIMITS.maxTokens}`,
    query: `{ ${'__typename '.repeat(DEFAULT_QUERY_LIMITS.maxTokens)} }`,
    limit: 'tokens',
  },
  {
    name: 'length: a document over 64 KiB',
    query: `# ${'x'.repeat(DEFAULT_QUERY_LIMITS.maxLength)}\n{ __typename }`,
    limit: 'length',
  },
];

describe('query limits, the same on HTTP and WebSocket', () => {
  for (const { name, query, limit } of limitCases) {
    test(name, async () => {
      const http = await postGraphQL(server.url, query, {}, apiKey);
      assert.equal(codeOf(http), 'QUERY_LIMIT_EXCEEDED', http.text.slice(0, 300));
      assert.equal(http.json?.errors?.[0]?.extensions?.limit, limit);
      assert.equal(http.json?.data, undefined, 'nothing ran');

      // A document over 64 KiB does not fit in one WebSocket message: tested below.
      if (limit === 'length') return;
      const overWs = await ws.run(query);
      assert.equal(overWs.close, undefined, 'the connection stays open');
      assert.equal(overWs.errors?.[0]?.extensions?.code, 'QUERY_LIMIT_EXCEEDED');
      assert.equal(overWs.errors?.[0]?.extensions?.limit, limit);
    });
  }

  test('just under each limit passes', async () => {
    for (const query of [
      deepType(DEFAULT_QUERY_LIMITS.maxDepth - 2),
      fanOutIntrospection(1),
      aliases(DEFAULT_QUERY_LIMITS.maxAliases),
      directives(DEFAULT_QUERY_LIMITS.maxDirectives),
    ]) {
      const http = await postGraphQL(server.url, query, {}, apiKey);
      assert.equal(
        http.json?.errors,
        undefined,
        `${query.slice(0, 80)}: ${http.text.slice(0, 200)}`,
      );
      const overWs = await ws.run(query);
      assert.equal(overWs.errors, undefined);
      assert.equal(overWs.results[0]?.errors, undefined);
    }
  });

  test('introspection is allowed: the full introspection query GraphiQL sends, on both', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const http = await postGraphQL(server.url, query);
    assert.equal(http.json?.errors, undefined);
    const schema = (http.json!.data as { __schema: { types: Array<{ name: string }> } }).__schema;
    assert.ok(schema.types.some((type) => type.name === 'Webhook'));
    const overWs = await ws.run(query);
    assert.equal(overWs.results[0]?.errors, undefined);
    assert.ok(overWs.results[0]?.data);
  });

  test('a syntax error over WebSocket fails that operation only, with a code', async () => {
    const outcome = await ws.run('{ agents { ');
    assert.equal(outcome.close, undefined);
    assert.equal(outcome.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
    const next = await ws.run('{ __typename }');
    assert.deepEqual(next.results[0]?.data, { __typename: 'Query' });
  });
});

describe('batching', () => {
  test('a JSON array of operations is refused with 400 BAD_REQUEST; nothing runs', async () => {
    const before = await countRows(server);
    const mutation = JSON.stringify({
      query: 'mutation { createAgent(input: { name: "batched" }) { agent { id } } }',
    });
    const response = await postRaw(server.url, `[${mutation},${mutation}]`, { apiKey });
    assert.equal(response.status, 400);
    assert.equal(codeOf(response), 'BAD_REQUEST');
    assert.match(response.json?.errors?.[0]?.message ?? '', /Batching is not supported/);
    assert.deepEqual(await countRows(server), before);
  });
});

/**
 * Sends raw HTTP/1.1: the head, then body chunks until `stopAfter` bytes (without finishing a
 * body that declares more), and resolves with whatever the server answered once it closes.
 */
function rawUpload(
  port: number,
  head: string,
  chunk: Buffer,
  options: { chunked: boolean; stopAfter: number },
): Promise<{ response: string; sentBytes: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let sentBytes = 0;
    const pump = () => {
      while (!socket.destroyed && response.length === 0 && sentBytes < options.stopAfter) {
        const frame = options.chunked
          ? Buffer.concat([
              Buffer.from(`${chunk.length.toString(16)}\r\n`),
              chunk,
              Buffer.from('\r\n'),
            ])
          : chunk;
        sentBytes += chunk.length;
        if (!socket.write(frame)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('data', (data) => {
      response += data.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ response, sentBytes }));
    socket.write(head, pump);
  });
}

describe('request body limit (1 MiB)', () => {
  const port = () => Number(new URL(server.url).port);
  const chunk = Buffer.alloc(64 * 1024, 'x');

  test('a declared Content-Length over the limit is answered 413 before the body is read, and the connection closed', async () => {
    const declared = 100 * MAX_REQUEST_BODY_BYTES;
    const { response, sentBytes } = await rawUpload(
      port(),
      `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
      chunk,
      { chunked: false, stopAfter: chunk.length },
    );
    assert.match(response, /^HTTP\/1\.1 413 /);
    assert.match(response, /connection: close/i);
    assert.match(response, /REQUEST_ENTITY_TOO_LARGE/);
    assert.equal(sentBytes, chunk.length, 'the server answered without waiting for the body');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('a chunked body is cut off as soon as it passes the limit', async () => {
    const { response, sentBytes } = await rawUpload(
      port(),
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
      chunk,
      { chunked: true, stopAfter: 2 * MAX_REQUEST_BODY_BYTES },
    );
    assert.match(response, /^HTTP\/1\.1 413 /);
    assert.match(response, /connection: close/i);
    assert.ok(sentBytes <= 2 * MAX_REQUEST_BODY_BYTES, `${sentBytes} bytes sent`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  test('a body under the limit is read as usual (large variables are fine)', async () => {
    const response = await postRaw(
      server.url,
      JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(600 * 1024) } }),
      { apiKey },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json?.data, { __typename: 'Query' });
  });
});

describe('WebSocket message limit (64 KiB)', () => {
  test('an oversized message closes that connection with 1009; others and the server go on', async () => {
    const victim = await RawGraphqlWs.connect(server.url, apiKey);
    victim.send({
      id: '1',
      type: 'subscribe',
      payload: { query: '{ __typename }', variables: { pad: 'x'.repeat(MAX_WS_MESSAGE_BYTES) } },
    });
    const closedWith = await victim.closed;
    assert.equal(closedWith.code, 1009);
    assert.ok(ws.isOpen, 'the other connection is still open');
    assert.deepEqual((await ws.run('{ __typename }')).results[0]?.data, { __typename: 'Query' });
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
