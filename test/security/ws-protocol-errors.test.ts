import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_WS_MESSAGE_BYTES } from '../../src/http/websocket.ts';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { closed, openGraphqlWs } from '../support/live.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

/**
 * What a client breaking the WebSocket protocol can write into the log: one JSON line per
 * connection, without a stack trace, whoever it is (no key needed to open a socket). The log is
 * read as the operator reads it, from the process's output.
 */
let database: TestDatabase;
let hookline: HooklineProcess;

before(async () => {
  database = await createTestDatabase('ws_protocol_errors');
  hookline = await startHooklineProcess({
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
  });
  await hookline.waitReady();
});
after(async () => {
  await killAllProcesses();
  await database?.drop();
});

const PROTOCOL_ERROR = 'websocket closed for a protocol error';

test('a message over 64 KiB closes the socket with 1009 and is logged once, as one JSON line without a stack', async () => {
  const attempts = 3;
  for (let i = 0; i < attempts; i++) {
    const socket = openGraphqlWs(hookline.url);
    await new Promise((resolve) => socket.once('open', resolve));
    const closing = closed(socket);
    // Before connection_init: nothing but the protocol stands in the way.
    socket.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 1));
    assert.equal((await closing).code, 1009);
  }
  const lines = await eventually(
    () => {
      const all = hookline
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      return all.filter((line) => line.includes(PROTOCOL_ERROR)).length === attempts
        ? all
        : undefined;
    },
    { message: `${attempts} protocol error lines` },
  );
  for (const line of lines) {
    assert.doesNotThrow(() => JSON.parse(line), `every log line is JSON: ${line}`);
  }
  const logged = lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === PROTOCOL_ERROR);
  assert.equal(logged.length, attempts, 'one line per connection');
  for (const entry of logged) {
    assert.equal(entry.code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    assert.match(String(entry.reason), /Max payload size exceeded/);
    assert.equal(JSON.stringify(entry).includes('    at '), false, 'no stack trace');
  }
  assert.equal(hookline.output().includes('Internal error'), false);
});
