import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  AttachWebhookDocument,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  RequestCallSetupDocument,
  RotateWebhookSecretDocument,
  UpdateWebhookDocument,
} from '@hookline/client';
import { eventually } from '../support/assertions.ts';
import { agentWithWebhook, analyticsCompleted, preConversation } from '../support/fixtures.ts';
import { exited, freePort } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The verification code docs/delivering.md shows receivers, run as real receivers against real
 * deliveries: if a delivery succeeds, the example accepted Hookline's signature. The page shows
 * lines of the example files; the last test checks that it shows them as they are.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLES = resolve(ROOT, 'examples');
const DELIVERING_PAGE = resolve(ROOT, 'docs/delivering.md');
const CALL_HOOKS_PAGE = resolve(ROOT, 'docs/call-hooks.md');
let server: TestServer;
const children: ChildProcess[] = [];

before(async () => {
  server = await startTestServer('receiver_examples');
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(children.map((child) => exited(child)));
  await server.stop();
});

async function startExample(
  command: string,
  file: string,
  secret: string,
): Promise<{ url: string; output: () => string }> {
  const port = await freePort();
  const child = spawn(command, [resolve(EXAMPLES, file), String(port)], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await eventually(() => (output.includes('listening') ? true : undefined), {
    message: `${file} to listen`,
  });
  return { url: `http://127.0.0.1:${port}/webhooks`, output: () => output };
}

async function emitAndExpectSuccess(
  client: TestServer['operator'],
  agentId: string,
  kind: 'pre' | 'analytics',
) {
  const emitted = await client.request(EmitEventDocument, {
    input:
      kind === 'pre'
        ? { agentId, type: 'PRE_CONVERSATION', payload: preConversation() }
        : { agentId, type: 'ANALYTICS_COMPLETED', payload: analyticsCompleted() },
  });
  const eventId = emitted.emitEvent.event.id;
  return eventually(async () => {
    const { deliveries } = await client.request(DeliveriesDocument, { eventId });
    const id = deliveries.edges[0]?.node.id;
    if (!id) return undefined;
    const d = (await client.request(DeliveryDocument, { id })).delivery;
    return d && d.status !== 'PENDING' ? d : undefined;
  });
}

for (const [language, command, file] of [
  ['Python (standard library)', 'python3', 'verify_webhook.py'],
  ['Node.js (node:crypto)', process.execPath, 'verify-webhook.mjs'],
] as const) {
  test(`the docs' ${language} receiver verifies real deliveries, also across a secret rotation`, async () => {
    const { client } = await server.newOrganization();
    // Attach first with a placeholder URL, to learn the secret the receiver must know.
    const { agentId, webhookId, signingSecret } = await agentWithWebhook(
      client,
      'http://127.0.0.1:9/',
    );
    const example = await startExample(command, file, signingSecret);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, url: example.url } });

    const first = await emitAndExpectSuccess(client, agentId, 'pre');
    assert.equal(
      first.status,
      'SUCCEEDED',
      `${first.attempts[0]?.responseStatus} ${first.attempts[0]?.responseBody}`,
    );
    assert.equal(first.attempts[0]?.responseStatus, 204);
    assert.match(example.output(), /"verified": ?"pre-conversation"/);

    // The receiver still knows only the old secret: during the grace period that must suffice.
    await client.request(RotateWebhookSecretDocument, { input: { id: webhookId } });
    const second = await emitAndExpectSuccess(client, agentId, 'analytics');
    assert.equal(second.status, 'SUCCEEDED');
    assert.match(example.output(), /"verified": ?"analytics-completed"/);
  });
}

for (const [language, command, file] of [
  ['Python', 'python3', 'verify_webhook.py'],
  ['Node.js', process.execPath, 'verify-webhook.mjs'],
] as const) {
  test(`the docs' ${language} receiver answers real call setups with variables`, async () => {
    const { client } = await server.newOrganization();
    const { agentId, webhookId, signingSecret } = await agentWithWebhook(
      client,
      'http://127.0.0.1:9/',
    );
    const example = await startExample(command, file, signingSecret);
    await client.request(UpdateWebhookDocument, { input: { id: webhookId, url: example.url } });
    await client.request(AttachWebhookDocument, {
      input: { webhookId, agentId, events: ['PRE_CONVERSATION'], respondsToCallSetup: true },
    });
    const { setup } = (
      await client.request(RequestCallSetupDocument, {
        input: { agentId, payload: preConversation(), deadlineMs: 5000 },
      })
    ).requestCallSetup;
    assert.equal(setup.outcome, 'ANSWERED', `${setup.reason} ${setup.attempts[0]?.responseBody}`);
    assert.equal(setup.action, 'CONTINUE');
    assert.deepEqual(setup.variables, {
      callerPhoneNumber: preConversation().callerPhoneNumber,
      customerTier: 'gold',
      knownCaller: true,
    });
    assert.match(example.output(), /"verified": ?"pre-conversation"/);
  });
}

test('the Python receiver refuses a forged delivery', async () => {
  const example = await startExample(
    'python3',
    'verify_webhook.py',
    `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
  );
  const response = await fetch(example.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'dlv_forged',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
    },
    body: '{"type":"pre-conversation"}',
  });
  assert.equal(response.status, 400);
  assert.equal(await response.text(), 'no valid signature');
});

/**
 * The code blocks of a Markdown page that follow a `<!-- lines of <file> -->` comment, by that
 * file (relative to the repository).
 */
function excerpts(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- lines of (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    blocks.set(match[1] as string, match[2] as string);
  }
  return blocks;
}

/** The lines of `excerpt` not found in `file` after the line matched before them, if any. */
function missingLines(excerpt: string, file: string): string[] {
  const fileLines = file.split('\n');
  let at = 0;
  const missing: string[] = [];
  for (const line of excerpt.split('\n').filter((l) => l.trim() !== '')) {
    const found = fileLines.indexOf(line, at);
    if (found === -1) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

for (const [page, path, shows] of [
  ['docs/delivering.md', DELIVERING_PAGE, ['def verify(', 'function verify(']],
  ['docs/call-hooks.md', CALL_HOOKS_PAGE, ['def call_setup_answer(', 'function callSetupAnswer(']],
] as const) {
  test(`${page} shows the code of the examples run above, line for line`, async () => {
    const blocks = excerpts(await readFile(path, 'utf8'));
    assert.deepEqual(
      [...blocks.keys()].sort(),
      ['examples/verify-webhook.mjs', 'examples/verify_webhook.py'],
      'the page marks the Python and the Node block',
    );
    for (const [file, excerpt] of blocks) {
      assert.ok(
        shows.some((code) => excerpt.includes(code)),
        `${file}'s block shows ${shows.join(' or ')}`,
      );
      const missing = missingLines(excerpt, await readFile(resolve(ROOT, file), 'utf8'));
      assert.deepEqual(missing, [], `lines of the page's block not in ${file}, in order`);
    }
  });
}
