import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { batchFrameWrites } from '../../src/http/ws-frame-batching.ts';
import { eventually } from '../support/assertions.ts';

/**
 * The frame batching under graphql-ws, on a real server and client: frames of one turn leave
 * together, those of later turns soon after a write are gathered, all arrive whole and in order, and a client that stops reading still holds the sender
 * back (which is what lets the live feed end it with SLOW_CONSUMER).
 */
let http: Server;
let wss: WebSocketServer;
let url: string;
const connections: Array<{ websocket: WebSocket; socket: Socket }> = [];

before(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http });
  batchFrameWrites(wss);
  wss.on('connection', (websocket, request) => {
    connections.push({ websocket, socket: request.socket });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  assert.ok(address && typeof address === 'object');
  url = `ws://127.0.0.1:${address.port}`;
});
after(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await new Promise((resolve) => http.close(resolve));
});

async function connect(): Promise<{ client: WebSocket; server: (typeof connections)[number] }> {
  const count = connections.length;
  const client = new WebSocket(url);
  await new Promise((resolve) => client.once('open', resolve));
  const server = await eventually(() => connections[count], { message: 'the server side' });
  return { client, server };
}

const sendAcknowledged = (websocket: WebSocket, data: string) =>
  new Promise<void>((resolve, reject) =>
    websocket.send(data, (error) => (error ? reject(error) : resolve())),
  );

describe('WebSocket frame batching', () => {
  test('frames of one turn are held until the turn ends, then all arrive in order', async () => {
    const { client, server } = await connect();
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 200) resolve();
      });
    });
    const acknowledged = Array.from({ length: 200 }, (_, i) =>
      sendAcknowledged(server.websocket, `frame ${i}`),
    );
    assert.equal(server.socket.writableCorked, 1, 'the socket is corked for the rest of the turn');
    await Promise.all(acknowledged);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(server.socket.writableCorked, 0, 'and uncorked once the turn is over');
    await all;
    assert.deepEqual(
      received,
      Array.from({ length: 200 }, (_, i) => `frame ${i}`),
    );
    client.close();
  });

  test('while frames keep coming, later turns gather theirs into the next write', async () => {
    const { client, server } = await connect();
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 3) resolve();
      });
    });
    await sendAcknowledged(server.websocket, 'first');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(
      server.socket.writableCorked,
      0,
      'a quiet client gets its frame at the end of the turn',
    );
    await sendAcknowledged(server.websocket, 'second');
    await new Promise((resolve) => setImmediate(resolve));
    await sendAcknowledged(server.websocket, 'third');
    assert.equal(
      server.socket.writableCorked,
      1,
      'a client written to a moment ago gathers the frames of later turns',
    );
    await all;
    assert.deepEqual(received, ['first', 'second', 'third']);
    assert.equal(server.socket.writableCorked, 0, 'and they leave together');
    client.close();
  });

  test('a client that does not read holds the sender back: acknowledgements stop', async () => {
    const { client, server } = await connect();
    client.pause();
    const frame = 'x'.repeat(256 * 1024);
    let acknowledged = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      sends.push(sendAcknowledged(server.websocket, frame).then(() => void acknowledged++));
      // Each frame in a turn of its own, as a live feed hands them out.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // No waiting needed: a frame acknowledged has left the process, so frames acknowledged and
    // frames still queued in memory add up to the 200 sent, plus at most one acknowledged early
    // (below 64 KiB unsent a frame counts as sent when queued; these are 256 KiB each).
    const queued = Math.floor(server.socket.writableLength / frame.length);
    assert.ok(queued > 0, 'with nobody reading, the kernel cannot take 50 MB');
    assert.ok(
      acknowledged + queued <= 201,
      `${acknowledged} acknowledged while ${queued} frames are still queued`,
    );
    client.resume();
    await Promise.all(sends);
    assert.equal(acknowledged, 200, 'once the client reads again, every frame goes');
    client.close();
  });
});
