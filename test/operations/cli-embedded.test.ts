import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  CurrentOrganizationDocument,
  createHooklineClient,
  type HooklineClient,
  OperatorKeysDocument,
} from '@hookline/client';
import { type CliRun, runCli } from '../support/cli.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';

/**
 * The CLI beside a running server on the embedded database, as in the README's first five
 * minutes: `npm start` in one terminal (no key configured), `npx hookline ...` in another. The
 * data folder is open in the server, so commands go through its API, with no key to pass;
 * commands that need the database itself say what to do instead. Each answers in under 2 s.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'hookline-cli-embedded-'));
const ADMIN_KEY = 'cli-embedded-operator-key-0123456789';
const clients: HooklineClient[] = [];

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { HOOKLINE_DATA_DIR: dataDir });

/**
 * Runs a command beside the server. How fast it answers is measured by `npm run bench` (a timed
 * assertion here would fail whenever the machine is busy); this checks what it does.
 */
async function fast(args: string[], check: (run: CliRun) => void): Promise<CliRun> {
  const run = await cli(args);
  check(run);
  return run;
}

const succeeds = (run: CliRun) => assert.equal(run.code, 0, run.stderr);

function client(url: string, apiKey: string): HooklineClient {
  const c = createHooklineClient({ url, apiKey });
  clients.push(c);
  return c;
}

test('the CLI beside an embedded server: through its API, fast, and clear about the rest', {
  timeout: 240_000,
}, async (t) => {
  let server: HooklineProcess = await startHooklineProcess({ HOOKLINE_DATA_DIR: dataDir });
  await server.waitReady();
  const generated = /\n {4}(hkl_\S+)\n/.exec(server.output())![1]!;
  let organizationId = '';

  await t.test('create-org works with no key configured, and its key works', async () => {
    const created = await fast(['create-org', '--name', 'Acme Voice', '--json'], succeeds);
    const { organization, apiKey, apiKeyId } = JSON.parse(created.stdout);
    assert.match(apiKeyId, /^key_/);
    organizationId = organization.id;
    const viaKey = await client(server.url, apiKey).request(CurrentOrganizationDocument);
    assert.equal(viaKey.organization?.name, 'Acme Voice');

    const text = await cli(['create-org', '--name', 'Plain']);
    assert.match(text.stdout, /^Organization org_\w+ \(Plain\)\nAPI key key_\w+: hkl_\S+\n/);
  });

  await t.test('create-key makes a key for an organization; an unknown one is named', async () => {
    const key = await fast(['create-key', '--org', organizationId, '--name', 'ci'], succeeds);
    const [, apiKey] = /: (hkl_\S+)/.exec(key.stdout) ?? [];
    const viaKey = await client(server.url, apiKey!).request(CurrentOrganizationDocument);
    assert.equal(viaKey.organization?.id, organizationId);
    const unknown = await cli(['create-key', '--org', 'org_nope', '--name', 'x']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr.trim(), 'No organization org_nope.');
  });

  await t.test('operator-keys lists the generated key; the last key is not revoked', async () => {
    const listed = await fast(['operator-keys', '--json'], succeeds);
    const { operatorKeys } = JSON.parse(listed.stdout);
    assert.deepEqual(
      operatorKeys.map((k: { source: string; revokedAt: string | null }) => [
        k.source,
        k.revokedAt,
      ]),
      [['generated', null]],
    );
    const table = await cli(['operator-keys']);
    assert.match(
      table.stdout,
      new RegExp(
        `^ID\\s+SOURCE\\s+NAME\\s+HINT\\s+CREATED\\s+REVOKED\\n${operatorKeys[0].id}\\s+generated`,
      ),
    );
    const last = await fast(['revoke-operator-key', '--id', operatorKeys[0].id], (run) =>
      assert.equal(run.code, 1),
    );
    assert.match(last.stderr, /only active operator key and cannot be revoked/);
    const unknown = await cli(['revoke-operator-key', '--id', 'key_nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Operator key key_nope was not found/);
  });

  await t.test('stats, replay and migrate say what to do instead, naming the server', async () => {
    const expected = [
      { args: ['stats'], instead: `${server.url}/metrics` },
      {
        args: ['replay', '--webhook', 'whk_1', '--since', '2026-11-29T00:00:00Z'],
        instead: 'replayFailedDeliveries(input: { webhookId: "whk_1"',
      },
      { args: ['migrate'], instead: 'restarting it applies any added since' },
    ];
    for (const { args, instead } of expected) {
      const run = await fast(args, (r) => assert.equal(r.code, 1, r.stderr));
      assert.ok(
        run.stderr.includes(
          `open in the Hookline server at ${server.url} (process ${server.process.pid})`,
        ),
        run.stderr,
      );
      assert.ok(run.stderr.includes(instead), run.stderr);
      assert.match(run.stderr, /stop the server \(Ctrl-C where it runs\)/);
    }
  });

  await t.test(
    'stopped, the server withdraws its address; the CLI opens the folder itself',
    async () => {
      assert.equal(await server.stop(), 0);
      assert.equal(existsSync(join(dataDir, 'server.json')), false);
      const keys = await cli(['operator-keys', '--json']);
      succeeds(keys);
      assert.equal(JSON.parse(keys.stdout).operatorKeys.length, 1);
    },
  );

  await t.test(
    'rotation from the CLI: after a restart with a key, the generated one is revoked',
    async () => {
      server = await startHooklineProcess({
        HOOKLINE_DATA_DIR: dataDir,
        HOOKLINE_ADMIN_KEY: ADMIN_KEY,
      });
      await server.waitReady();
      const { operatorKeys } = JSON.parse((await cli(['operator-keys', '--json'])).stdout);
      const sources = operatorKeys.map((k: { source: string }) => k.source);
      assert.deepEqual(sources, ['generated', 'configured']);
      // Not through `fast`: a second run would find the key revoked already.
      const revoked = await cli(['revoke-operator-key', '--id', operatorKeys[0].id]);
      succeeds(revoked);
      assert.match(revoked.stdout, /^Revoked operator key key_\w+ \(generated operator key\)/);
      await assert.rejects(client(server.url, generated).request(OperatorKeysDocument), {
        code: 'UNAUTHENTICATED',
      });
      const viaConfigured = await client(server.url, ADMIN_KEY).request(OperatorKeysDocument);
      assert.equal(viaConfigured.operatorKeys.filter((k) => !k.revokedAt).length, 1);
      assert.equal(await server.stop(), 0);
    },
  );
});
