import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CurrentOrganizationDocument,
  createHooklineClient,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  type HooklineClient,
} from '@hookline/client';
import { type Hookline, startHookline } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually } from '../support/assertions.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { migrationNames } from '../support/migrations.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';

let database: TestDatabase;
let hookline: Hookline | undefined;
let receiver: Receiver | undefined;
const clients: HooklineClient[] = [];

/** `hookline <args>` on this file's database. */
const hooklineCli = (args: string[], env: Record<string, string> = {}, node?: string) =>
  runCli(args, { DATABASE_URL: database.url, ...env }, node);

function client(url: string, apiKey: string): HooklineClient {
  const c = createHooklineClient({ url, apiKey });
  clients.push(c);
  return c;
}

before(async () => {
  database = await createTestDatabase('cli');
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await hookline?.stop();
  await receiver?.close();
  await database.drop();
});

describe('hookline CLI', () => {
  test('migrate: applies the migrations once; other commands refuse an unmigrated database', async () => {
    const early = await hooklineCli(['stats']);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /not migrated: run `hookline migrate`/);

    const first = await hooklineCli(['migrate']);
    assert.equal(first.code, 0, first.stderr);
    const names = migrationNames();
    assert.equal(
      first.stdout,
      `Applied ${names.length} migration(s):\n${names.map((n) => `  ${n}\n`).join('')}`,
    );
    const again = await hooklineCli(['migrate', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { applied: [] });

    // The server now starts on this database without migrating anything.
    receiver = await startReceiver();
    hookline = await startHookline(
      parseConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
        HOOKLINE_RETRY_SCHEDULE: '0.1',
        HOOKLINE_DB_POOL_SIZE: '4',
      }),
      createLogger({ level: 'silent' }),
    );
  });

  test('create-org and create-key print keys that work against the API', async () => {
    assert.ok(hookline);
    const created = await hooklineCli(['create-org', '--name', 'Acme Voice', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { organization, apiKey } = JSON.parse(created.stdout);
    assert.match(apiKey, /^hkl_/);
    assert.equal(organization.name, 'Acme Voice');
    const viaOrgKey = await client(hookline.url, apiKey).request(CurrentOrganizationDocument);
    assert.equal(viaOrgKey.organization?.id, organization.id);

    const key = await hooklineCli(['create-key', '--org', organization.id, '--name', 'ci']);
    assert.equal(key.code, 0, key.stderr);
    const [, second] = /: (hkl_\S+)/.exec(key.stdout) ?? [];
    assert.ok(second && second !== apiKey, key.stdout);
    const viaSecondKey = await client(hookline.url, second).request(CurrentOrganizationDocument);
    assert.equal(viaSecondKey.organization?.id, organization.id);

    const text = await hooklineCli(['create-org', '--name', 'Plain']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Organization org_\w+ \(Plain\)\nAPI key key_\w+: hkl_\S+\n/);

    const unknown = await hooklineCli(['create-key', '--org', 'org_nope', '--name', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No organization org_nope/);
    const missing = await hooklineCli(['create-org']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--name is required\nUsage: hookline create-org --name <name>/);
    const stray = await hooklineCli(['create-org', '--name', 'x', '--colour', 'red']);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--colour/);
  });

  test('operator-keys lists the operator keys; revoke-operator-key keeps the last one', async () => {
    const listed = await hooklineCli(['operator-keys', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const [only, ...others] = JSON.parse(listed.stdout).operatorKeys;
    assert.deepEqual(others, []);
    assert.equal(only.source, 'generated', 'the server here started without HOOKLINE_ADMIN_KEY');
    const refused = await hooklineCli(['revoke-operator-key', '--id', only.id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only active operator key and cannot be revoked/);
    const missing = await hooklineCli(['revoke-operator-key']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--id is required/);
  });

  test('replay sends a webhook’s failed deliveries again; stats shows backlog and failure rates', async () => {
    assert.ok(hookline && receiver);
    const created = JSON.parse(
      (await hooklineCli(['create-org', '--name', 'Replay', '--json'])).stdout,
    );
    const api = client(hookline.url, created.apiKey);
    let failing = true;
    receiver.respond = (_req, res) => {
      res.writeHead(failing ? 500 : 200);
      res.end();
    };
    const { agentId, webhookId } = await agentWithWebhook(api, receiver.url, ['PRE_CONVERSATION']);
    const since = new Date(Date.now() - 60_000).toISOString();
    await api.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [edge] = (await api.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const status = (want: string) =>
      eventually(async () => {
        const d = (await api.request(DeliveryDocument, { id: edge!.node.id })).delivery;
        return d?.status === want ? d : undefined;
      });
    await status('FAILED');
    failing = false;

    const replayed = await hooklineCli(['replay', '--webhook', webhookId, '--since', since]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(
      replayed.stdout.trim(),
      `Replaying 1 failed delivery of ${webhookId} since ${since}.`,
    );
    const done = await status('SUCCEEDED');
    assert.equal(done.attempts.length, 3);
    assert.equal(receiver.requests.at(-1)!.headers['webhook-id'], edge!.node.id);

    const nothingLeft = await hooklineCli([
      'replay',
      '--webhook',
      webhookId,
      '--since',
      since,
      '--json',
    ]);
    assert.deepEqual(JSON.parse(nothingLeft.stdout), { webhookId, since, replayed: 0 });
    const badDate = await hooklineCli(['replay', '--webhook', webhookId, '--since', 'yesterday']);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--since must be an ISO 8601 date/);
    const noWebhook = await hooklineCli(['replay', '--webhook', 'whk_nope', '--since', since]);
    assert.equal(noWebhook.code, 1);

    const stats = await hooklineCli(['stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const parsed = JSON.parse(stats.stdout);
    assert.equal(parsed.windowSeconds, 3600);
    assert.deepEqual(Object.keys(parsed.deliveries).sort(), ['due', 'lagSeconds', 'pending']);
    assert.equal(parsed.deliveries.pending, 0);
    assert.equal(parsed.disabledWebhooks, 0);
    const row = parsed.webhooks.find((w: { webhookId: string }) => w.webhookId === webhookId);
    assert.deepEqual(
      {
        organizationId: row.organizationId,
        attempts: row.attempts,
        failures: row.failures,
        failureRate: row.failureRate,
      },
      { organizationId: created.organization.id, attempts: 3, failures: 2, failureRate: 2 / 3 },
    );
    assert.equal(typeof row.p95LatencyMs, 'number');

    const table = await hooklineCli(['stats']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /PENDING\s+DUE NOW\s+LAG\s+DISABLED WEBHOOKS\n\s+0\s+0\s+0\.0 s\s+0/,
    );
    assert.match(table.stdout, /WEBHOOK\s+ORGANIZATION\s+ATTEMPTS\s+FAILURES\s+FAILURE RATE/);
    assert.match(
      table.stdout,
      new RegExp(`${webhookId}\\s+${created.organization.id}\\s+3\\s+2\\s+66\\.7 %`),
    );
  });

  test('usage and configuration errors exit 2 and say what is wrong', async () => {
    const unknown = await hooklineCli(['launch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command: launch/);
    const badConfig = await hooklineCli(['stats'], { HOOKLINE_RETENTION_DAYS: '-1' });
    assert.equal(badConfig.code, 2);
    assert.match(badConfig.stderr, /HOOKLINE_RETENTION_DAYS/);
    const help = await hooklineCli(['replay', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: hookline replay --webhook <webhook id> --since/);
  });

  // The shim's reason to exist: a system Node too old for the TypeScript sources.
  const systemNode = '/usr/bin/node';
  const oldNode =
    existsSync(systemNode) && Number(process.versions.node.split('.')[0]) >= 22
      ? systemNode
      : undefined;
  test('the bin shim runs the CLI on the pinned Node even when started by an old system Node', {
    skip: oldNode ? false : 'no system Node at /usr/bin/node',
  }, async () => {
    const run = await hooklineCli(['stats', '--json'], {}, oldNode!);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).windowSeconds, 3600);
  });
});
