import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getCACertificates, setDefaultCACertificates, type TLSSocket } from 'node:tls';
import {
  type AddressPolicy,
  createAddressPolicy,
  createDeliveryClient,
  type DeliveryClient,
  type SendOutcome,
} from '../src/delivery-client/index.ts';
import { eventually } from './support/assertions.ts';

type Receiver = {
  port: number;
  connections: number;
  /** Connections over: every byte the peer sent on them has been counted. */
  closed: number;
  bytesReceived: number;
  requests: Array<{
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
  }>;
  close(): Promise<void>;
};

/** Tracks every TCP connection and byte, so blocked cases can prove nothing arrived. */
function track(
  server: Server,
  host: string,
  receiver: Omit<Receiver, 'port' | 'close'>,
): Promise<Receiver> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      receiver.bytesReceived += chunk.length;
    });
    socket.on('close', () => {
      receiver.closed++;
      sockets.delete(socket);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const address = server.address();
      assert.ok(address && typeof address === 'object');
      resolve(
        Object.assign(receiver, {
          port: address.port,
          close: () =>
            new Promise<void>((done) => {
              for (const socket of sockets) socket.destroy();
              server.close(() => done());
            }),
        }),
      );
    });
  });
}

const open: Array<{ close(): Promise<void> }> = [];
after(async () => {
  await Promise.all(open.map((item) => item.close()));
});

async function httpReceiver(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
): Promise<Receiver> {
  const state = {
    connections: 0,
    closed: 0,
    bytesReceived: 0,
    requests: [] as Receiver['requests'],
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  const receiver = await track(server, host, state);
  open.push(receiver);
  return receiver;
}

async function rawReceiver(onConnection: (socket: Socket) => void): Promise<Receiver> {
  const server = createNetServer(onConnection);
  const receiver = await track(server, '127.0.0.1', {
    connections: 0,
    closed: 0,
    bytesReceived: 0,
    requests: [],
  });
  open.push(receiver);
  return receiver;
}

function client(
  overrides: Partial<Parameters<typeof createDeliveryClient>[0]> = {},
): DeliveryClient {
  const created = createDeliveryClient({
    connectTimeoutMs: 1000,
    totalTimeoutMs: 2000,
    maxResponseBytes: 4096,
    addressPolicy: createAddressPolicy(['127.0.0.0/8']),
    ...overrides,
  });
  open.push(created);
  return created;
}

const request = (url: string, signal?: AbortSignal) => ({
  url,
  headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
  body: '{"type":"call.ended"}',
  ...(signal ? { signal } : {}),
});

function assertError(outcome: SendOutcome, kind: string): void {
  assert.equal(outcome.ok, false);
  assert.equal(outcome.error?.kind, kind, JSON.stringify(outcome));
  assert.ok(outcome.error.message.length > 0);
  assert.ok(outcome.durationMs >= 0);
}

describe('responses', () => {
  const deliveries = client();

  test('200 with a body', async () => {
    const receiver = await httpReceiver((_req, res) => {
      res.setHeader('x-trace', 'abc');
      res.end('{"received":true}');
    });
    const outcome = await deliveries.send(request(`http://127.0.0.1:${receiver.port}/hooks?x=1`));
    assert.equal(outcome.status, 200);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.error, null);
    assert.equal(outcome.responseBody, '{"received":true}');
    assert.equal(outcome.responseHeaders['x-trace'], 'abc');
    assert.equal(outcome.retryAfterSeconds, null);
    const [received] = receiver.requests;
    assert.equal(received?.method, 'POST');
    assert.equal(received?.url, '/hooks?x=1');
    assert.equal(received?.headers['webhook-id'], 'msg_1');
    assert.equal(received?.body, '{"type":"call.ended"}');
  });

  test('keeps the connection alive between attempts', async () => {
    const receiver = await httpReceiver((_req, res) => res.end('ok'));
    for (let i = 0; i < 3; i++) {
      assert.equal((await deliveries.send(request(`http://127.0.0.1:${receiver.port}/`))).ok, true);
      // undici's pool still counts the connection busy in the tick the body ends,
      // and would open a second one for a request sent in that same tick.
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(receiver.connections, 1);
  });

  for (const status of [500, 410]) {
    test(`${status} is a failed attempt without a transport error`, async () => {
      const receiver = await httpReceiver((_req, res) => {
        res.statusCode = status;
        res.end('nope');
      });
      const outcome = await deliveries.send(request(`http://127.0.0.1:${receiver.port}/`));
      assert.equal(outcome.status, status);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error, null);
      assert.equal(outcome.responseBody, 'nope');
    });
  }

  test('429 with Retry-After', async () => {
    const receiver = await httpReceiver((_req, res) => {
      res.writeHead(429, { 'retry-after': '7' }).end();
    });
    const outcome = await deliveries.send(request(`http://127.0.0.1:${receiver.port}/`));
    assert.equal(outcome.status, 429);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.retryAfterSeconds, 7);
    assert.equal(outcome.responseBody, '');
  });

  test('302 is not followed', async () => {
    const target = await httpReceiver((_req, res) => res.end('should not be reached'));
    const receiver = await httpReceiver((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end();
    });
    const outcome = await deliveries.send(request(`http://127.0.0.1:${receiver.port}/`));
    assert.equal(outcome.status, 302);
    assertError(outcome, 'redirect');
    assert.match(outcome.error?.message ?? '', /elsewhere/);
    assert.equal(outcome.responseHeaders.location, `http://127.0.0.1:${target.port}/elsewhere`);
    assert.equal(target.connections, 0);
    assert.equal(target.requests.length, 0);
  });

  test('a 10 MB body is cut at maxResponseBytes without being buffered', async () => {
    const total = 10 * 1024 * 1024;
    let serverClosed: (finished: boolean) => void = () => {};
    const finished = new Promise<boolean>((resolve) => {
      serverClosed = resolve;
    });
    const receiver = await httpReceiver(async (_req, res) => {
      res.on('close', () => serverClosed(res.writableFinished));
      res.writeHead(200, { 'content-length': String(total) });
      const chunk = Buffer.alloc(64 * 1024, 'é');
      for (let sent = 0; sent < total && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk)) await drainedOrClosed(res);
      }
      res.end();
    });
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const outcome = await client({ maxResponseBytes: 1001 }).send(
      request(`http://127.0.0.1:${receiver.port}/`),
    );
    assert.equal(outcome.status, 200);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.error, null);
    // 'é' is two bytes: the half character at byte 1001 is dropped, not mangled.
    assert.equal(outcome.responseBody, 'é'.repeat(500));
    assert.ok(outcome.durationMs < 1000, `${outcome.durationMs} ms`);
    assert.ok(process.memoryUsage().arrayBuffers - buffersBefore < 5 * 1024 * 1024);
    assert.equal(await finished, false, 'the client closed the connection before the body ended');
  });
});

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

describe('transport failures', () => {
  test('a server that never sends headers times out', async () => {
    const receiver = await httpReceiver(() => {});
    const outcome = await client({ totalTimeoutMs: 300 }).send(
      request(`http://127.0.0.1:${receiver.port}/`),
    );
    assertError(outcome, 'timeout');
    assert.equal(outcome.status, null);
    assert.ok(outcome.durationMs >= 250 && outcome.durationMs < 1500, `${outcome.durationMs}`);
  });

  test('a body that stalls after the headers times out, keeping the status', async () => {
    const receiver = await httpReceiver((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const outcome = await client({ totalTimeoutMs: 300 }).send(
      request(`http://127.0.0.1:${receiver.port}/`),
    );
    assertError(outcome, 'timeout');
    assert.equal(outcome.status, 200);
    assert.ok(outcome.durationMs < 1500);
  });

  test('a connection closed by the server is a reset', async () => {
    const receiver = await rawReceiver((socket) => socket.destroy());
    assertError(
      await client().send(request(`http://127.0.0.1:${receiver.port}/`)),
      'connection_reset',
    );
  });

  test('a TCP RST is a reset', async () => {
    const receiver = await rawReceiver((socket) =>
      socket.once('data', () => socket.resetAndDestroy()),
    );
    assertError(
      await client().send(request(`http://127.0.0.1:${receiver.port}/`)),
      'connection_reset',
    );
  });

  test('a closed port is connection_refused', async () => {
    const receiver = await rawReceiver(() => {});
    await receiver.close();
    assertError(
      await client().send(request(`http://127.0.0.1:${receiver.port}/`)),
      'connection_refused',
    );
  });

  test('garbage instead of HTTP is invalid_response', async () => {
    const receiver = await rawReceiver((socket) => {
      socket.once('data', () => socket.end('SMTP READY\r\n\r\n'));
    });
    assertError(
      await client().send(request(`http://127.0.0.1:${receiver.port}/`)),
      'invalid_response',
    );
  });

  test('an unresolvable name is a dns error', async () => {
    assertError(await client().send(request('http://hookline-test.invalid/')), 'dns');
  });

  test("the caller's signal aborts", async () => {
    const receiver = await httpReceiver(() => {});
    const outcome = await client({ totalTimeoutMs: 5000 }).send(
      request(`http://127.0.0.1:${receiver.port}/`, AbortSignal.timeout(100)),
    );
    assertError(outcome, 'aborted');
    assert.ok(outcome.durationMs < 1000);
  });

  test('invalid URLs are refused before any I/O', async () => {
    const deliveries = client();
    for (const url of ['not a url', 'ftp://example.com/', 'file:///etc/passwd', '/relative']) {
      assertError(await deliveries.send(request(url)), 'invalid_url');
    }
  });
});

describe('https', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
  let tlsFiles: { key: Buffer; cert: Buffer } | null = null;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tlsFiles = {
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
    };
  } catch {
    // Without openssl there is no certificate to test with; the tests below skip.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  async function tlsReceiver(files: {
    key: Buffer;
    cert: Buffer;
  }): Promise<Receiver & { servernames: unknown[] }> {
    const servernames: unknown[] = [];
    const server = createHttpsServer(files, (req, res) => {
      servernames.push((req.socket as TLSSocket).servername);
      res.end('secure');
    });
    const receiver = await track(server, '127.0.0.1', {
      connections: 0,
      closed: 0,
      bytesReceived: 0,
      requests: [],
    });
    open.push(receiver);
    return Object.assign(receiver, { servernames });
  }

  test('an untrusted certificate is a tls error', { skip: !tlsFiles }, async () => {
    const receiver = await tlsReceiver(tlsFiles!);
    const outcome = await client().send(request(`https://127.0.0.1:${receiver.port}/`));
    assertError(outcome, 'tls');
    assert.match(outcome.error?.message ?? '', /self[- ]signed/i);
  });

  test('a trusted certificate verifies against the URL host, sent as SNI', {
    skip: !tlsFiles,
  }, async () => {
    // This test file runs in its own process, so widening its trust store is contained.
    setDefaultCACertificates([...getCACertificates('default'), tlsFiles!.cert.toString()]);
    const receiver = await tlsReceiver(tlsFiles!);
    const outcome = await client({
      addressPolicy: createAddressPolicy(['127.0.0.0/8', '::1/128']),
    }).send(request(`https://localhost:${receiver.port}/`));
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.equal(outcome.responseBody, 'secure');
    assert.deepEqual(receiver.servernames, ['localhost']);
  });
});

describe('blocked addresses (default policy)', () => {
  const blocked = client({ addressPolicy: createAddressPolicy([]) });

  // Dual-stack, so 127.0.0.1, ::1 and ::ffff:127.0.0.1 would all reach it if anything leaked.
  let receiver: Receiver;
  before(async () => {
    receiver = await httpReceiver((_req, res) => res.end('reached'), '::');
  });

  for (const url of [
    'http://127.0.0.1:PORT/',
    'http://[::1]:PORT/',
    'http://[::ffff:127.0.0.1]:PORT/',
    'http://[::ffff:7f00:1]:PORT/',
    'http://2130706433:PORT/',
    'http://0x7f.1:PORT/',
    'http://localhost:PORT/',
    'https://localhost:PORT/',
  ]) {
    test(`refuses ${url}`, async () => {
      const outcome = await blocked.send(request(url.replace('PORT', String(receiver.port))));
      assertError(outcome, 'blocked_address');
      // What a developer reads in the attempt log names the setting that opens the range.
      assert.match(outcome.error!.message, /reserved address .*HOOKLINE_ALLOW_NETWORKS/);
      assert.equal(outcome.status, null);
      assert.equal(receiver.connections, 0);
    });
  }

  test('refuses the cloud metadata address without connecting', async () => {
    const outcome = await blocked.send(request('http://169.254.169.254/latest/meta-data/'));
    assertError(outcome, 'blocked_address');
    assert.ok(outcome.durationMs < 500);
  });

  test('names resolve through the policy when it allows them', async () => {
    const local = client({ addressPolicy: createAddressPolicy(['127.0.0.0/8', '::1/128']) });
    const outcome = await local.send(request(`http://localhost:${receiver.port}/`));
    assert.equal(outcome.ok, true);
    assert.equal(outcome.responseBody, 'reached');
  });

  test('a peer that fails the check after connecting gets no bytes (DNS rebinding)', async () => {
    const peer = await rawReceiver(() => {});
    // Allows the address before connecting and refuses it once connected, as
    // when a name is re-resolved to an internal address between the two checks.
    let checks = 0;
    const rebinding: AddressPolicy = { isAllowed: () => ++checks === 1 };
    const outcome = await client({ addressPolicy: rebinding }).send(
      request(`http://127.0.0.1:${peer.port}/`),
    );
    assertError(outcome, 'blocked_address');
    assert.equal(checks, 2);
    await eventually(() => (peer.closed === 1 ? true : undefined), {
      message: 'the connection to be closed',
    });
    assert.equal(peer.connections, 1);
    assert.equal(peer.bytesReceived, 0);
  });
});
