import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedRequest } from '../support/receiver.ts';

/**
 * Runs the verification code the dashboard hands out, as a developer would paste it, against a
 * request Hookline really delivered: it must accept that request and refuse it once the body is
 * changed.
 */
const SIGNED_HEADERS = ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

function signedHeaders(request: ReceivedRequest): Record<string, string> {
  return Object.fromEntries(SIGNED_HEADERS.map((name) => [name, request.headers[name] ?? '']));
}

async function inTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hookline-snippet-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Node receiver as a process of its own on a free port. */
export async function runNodeSnippet(code: string, delivered: ReceivedRequest): Promise<void> {
  await inTempDir(async (dir) => {
    const file = join(dir, 'receiver.mjs');
    await writeFile(file, code);
    const child = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(
          () => reject(new Error(`receiver did not start: ${output}`)),
          5000,
        );
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.once('exit', (status) => reject(new Error(`receiver exited (${status}): ${output}`)));
      });
      const post = (body: string) =>
        fetch(`http://127.0.0.1:${port}/webhooks/hookline`, {
          method: 'POST',
          headers: signedHeaders(delivered),
          body,
        });
      assert.equal((await post(delivered.body)).status, 204, 'the real delivery is accepted');
      assert.equal((await post(`${delivered.body} `)).status, 400, 'a changed body is refused');
    } finally {
      child.kill();
    }
  });
}

export const hasPythonFlask =
  spawnSync('python3', ['-c', 'import flask'], { stdio: 'ignore' }).status === 0;

const FLASK_HARNESS = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("receiver", sys.argv[1])
receiver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(receiver)
request = json.load(sys.stdin)
client = receiver.app.test_client()
def post(body):
    return client.post("/webhooks/hookline", data=body.encode(), headers=request["headers"]).status_code
print(json.dumps([post(request["body"]), post(request["body"] + " ")]))
`;

/** The Flask receiver through Flask's test client (no port needed). */
export async function runPythonSnippet(code: string, delivered: ReceivedRequest): Promise<void> {
  await inTempDir(async (dir) => {
    const file = join(dir, 'receiver.py');
    await writeFile(file, code);
    const result = spawnSync('python3', ['-c', FLASK_HARNESS, file], {
      input: JSON.stringify({ headers: signedHeaders(delivered), body: delivered.body }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 0, `the Flask receiver failed: ${result.stderr}`);
    const [accepted, forged] = JSON.parse(result.stdout.trim().split('\n').pop()!) as number[];
    assert.equal(accepted, 204, 'the real delivery is accepted');
    assert.equal(forged, 400, 'a changed body is refused');
  });
}
