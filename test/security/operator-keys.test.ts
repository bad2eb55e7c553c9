import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  CurrentOrganizationDocument,
  createHooklineClient,
  type HooklineClient,
  type HooklineRequestError,
  OperatorKeysDocument,
  RevokeOperatorKeyDocument,
} from '@hookline/client';
import { createClient } from 'graphql-ws';
import { apiKeyHint, generateApiKey, hashApiKey } from '../../src/auth/api-key.ts';
import { openDatabase } from '../../src/db/connect.ts';
import { createMigrator } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { expectCode } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  type HooklineProcess,
  killAllProcesses,
  startHooklineProcess,
} from '../support/process.ts';

/**
 * Operator keys across restarts of real processes on one PostgreSQL database: a generated first
 * key, HOOKLINE_ADMIN_KEY set and then changed (the previous configured key retired at start),
 * revocation through the API, and the last key kept.
 */
const KEY_A = 'operator-key-a-0123456789abcdefghij';
const KEY_B = 'operator-key-b-0123456789abcdefghij';

let database: TestDatabase;
const clients: HooklineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await killAllProcesses();
  await database?.drop();
});

async function start(adminKey?: string): Promise<HooklineProcess> {
  const hookline = await startHooklineProcess({
    DATABASE_URL: database.url,
    ...(adminKey ? { HOOKLINE_ADMIN_KEY: adminKey } : {}),
  });
  await hookline.waitReady();
  return hookline;
}

function client(hookline: HooklineProcess, apiKey: string): HooklineClient {
  const c = createHooklineClient({ url: hookline.url, apiKey });
  clients.push(c);
  return c;
}

/** The operator keys as `source:state`, oldest first. */
async function keyStates(operator: HooklineClient): Promise<string[]> {
  const { operatorKeys } = await operator.request(OperatorKeysDocument);
  return operatorKeys.map((k) => `${k.source}:${k.revokedAt ? 'revoked' : 'active'}`);
}

async function works(hookline: HooklineProcess, apiKey: string): Promise<boolean> {
  try {
    await client(hookline, apiKey).request(OperatorKeysDocument);
    return true;
  } catch {
    return false;
  }
}

function logLines(hookline: HooklineProcess): Array<Record<string, unknown>> {
  return hookline
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

test('operator keys rotate across restarts; only the current ones work; the last one stays', {
  timeout: 240_000,
}, async (t) => {
  database = await createTestDatabase('operator_keys');
  let generated = '';

  await t.test(
    'the first start generates a key, shown once in plain text, never logged',
    async () => {
      const first = await start();
      const notice = /\n {4}(hkl_[A-Za-z0-9_-]{43})\n/.exec(first.output());
      assert.ok(notice, `a plain-text key in:\n${first.output()}`);
      generated = notice[1]!;
      assert.equal(first.output().split(generated).length, 2, 'the key appears exactly once');
      const lines = logLines(first);
      assert.ok(lines.every((line) => !JSON.stringify(line).includes(generated)));
      const listening = lines.find((line) => line.msg === 'Hookline is listening');
      assert.deepEqual(
        {
          graphiql: listening?.graphiql,
          dashboard: listening?.dashboard,
          metrics: listening?.metrics,
        },
        {
          graphiql: `${first.url}/graphql`,
          dashboard: `${first.url}/`,
          metrics: `${first.url}/metrics`,
        },
      );
      const { operatorKeys } = await client(first, generated).request(OperatorKeysDocument);
      assert.deepEqual(
        operatorKeys.map((k) => [k.source, k.current, k.revokedAt]),
        [['GENERATED', true, null]],
      );
      assert.equal(await first.stop(), 0);

      const again = await start();
      assert.doesNotMatch(again.output(), /hkl_/, 'no second key is generated, none is shown');
      assert.equal(await again.stop(), 0);
    },
  );

  await t.test(
    'HOOKLINE_ADMIN_KEY joins the generated key; the last key cannot be revoked',
    async () => {
      const hookline = await start(KEY_A);
      const operator = client(hookline, KEY_A);
      assert.deepEqual(await keyStates(operator), ['GENERATED:active', 'CONFIGURED:active']);
      assert.ok(await works(hookline, generated));

      const { operatorKeys } = await operator.request(OperatorKeysDocument);
      const [generatedKey, configuredKey] = operatorKeys;
      assert.equal(configuredKey!.current, true);
      await operator.request(RevokeOperatorKeyDocument, { input: { id: generatedKey!.id } });
      assert.equal(await works(hookline, generated), false, 'the revoked generated key fails');

      const last = await expectCode(
        operator.request(RevokeOperatorKeyDocument, { input: { id: configuredKey!.id } }),
        'CONFLICT',
      );
      assert.match(last.message, /only active operator key.*HOOKLINE_ADMIN_KEY/);
      await expectCode(
        operator.request(RevokeOperatorKeyDocument, { input: { id: generatedKey!.id } }),
        'CONFLICT',
      );
      await expectCode(
        operator.request(RevokeOperatorKeyDocument, { input: { id: 'key_nope' } }),
        'NOT_FOUND',
      );
      assert.ok(await works(hookline, KEY_A), 'the last key still works');
      assert.equal(await hookline.stop(), 0);
    },
  );

  await t.test(
    'a new HOOKLINE_ADMIN_KEY retires the previous one, even its open connections',
    async () => {
      const old = await start(KEY_A);
      const socket = await openSocket(old.url, KEY_A);

      const rotated = await start(KEY_B);
      const retired = logLines(rotated).find((line) => Array.isArray(line.retiredApiKeyIds));
      assert.match(String(retired?.msg), /previously configured one is retired/);
      assert.equal(await works(rotated, KEY_B), true);
      assert.equal(await works(rotated, KEY_A), false, 'A fails on the process that retired it');
      assert.equal(await works(old, KEY_A), false, 'and on the process already running');
      assert.equal(await socket.closed, 4403, 'the connection opened with A is closed');
      assert.deepEqual(await keyStates(client(rotated, KEY_B)), [
        'GENERATED:revoked',
        'CONFIGURED:revoked',
        'CONFIGURED:active',
      ]);
      await old.stop();
      assert.equal(await rotated.stop(), 0);
    },
  );

  await t.test('a process started on the old key changes nothing and says so', async () => {
    const stale = await start(KEY_A);
    assert.match(stale.output(), /HOOKLINE_ADMIN_KEY is an operator key that was retired/);
    assert.equal(await works(stale, KEY_A), false);
    assert.equal(await works(stale, KEY_B), true);
    assert.equal(await stale.stop(), 0);

    const unset = await start();
    assert.equal(await works(unset, KEY_B), true, 'unsetting it keeps the configured key');
    assert.doesNotMatch(unset.output(), /hkl_/);
    // The operator also creates keys for an organization (the CLI's create-key).
    const operator = client(unset, KEY_B);
    const org = (await operator.request(CreateOrganizationDocument, { input: { name: 'Keys' } }))
      .createOrganization;
    const created = await operator.request(CreateApiKeyDocument, {
      input: { name: 'ci', organizationId: org.organization.id },
    });
    const viaKey = await client(unset, created.createApiKey.apiKey).request(
      CurrentOrganizationDocument,
    );
    assert.equal(viaKey.organization?.id, org.organization.id);
    assert.equal(await unset.stop(), 0);
  });
});

test('two operator keys revoked at the same time: one revocation is refused', {
  timeout: 120_000,
}, async () => {
  const own = await createTestDatabase('operator_keys_race');
  try {
    const first = await startHooklineProcess({ DATABASE_URL: own.url });
    await first.waitReady();
    const generated = /\n {4}(hkl_\S+)\n/.exec(first.output())![1]!;
    await first.stop();
    const hookline = await startHooklineProcess({
      DATABASE_URL: own.url,
      HOOKLINE_ADMIN_KEY: KEY_A,
    });
    await hookline.waitReady();
    const viaA = createHooklineClient({ url: hookline.url, apiKey: KEY_A });
    const viaGenerated = createHooklineClient({ url: hookline.url, apiKey: generated });
    clients.push(viaA, viaGenerated);
    const [generatedKey, configuredKey] = (await viaA.request(OperatorKeysDocument)).operatorKeys;
    // Each key revokes the other.
    const outcomes = await Promise.allSettled([
      viaA.request(RevokeOperatorKeyDocument, { input: { id: generatedKey!.id } }),
      viaGenerated.request(RevokeOperatorKeyDocument, { input: { id: configuredKey!.id } }),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const refused = outcomes.find((o) => o.status === 'rejected')!.reason as HooklineRequestError;
    assert.ok(['CONFLICT', 'UNAUTHENTICATED'].includes(String(refused.code)), refused.message);
    const survivor = outcomes[0]!.status === 'fulfilled' ? viaA : viaGenerated;
    const active = (await survivor.request(OperatorKeysDocument)).operatorKeys.filter(
      (k) => !k.revokedAt,
    );
    assert.equal(active.length, 1);
    await hookline.stop();
  } finally {
    await own.drop();
  }
});

test('upgrading a database where every key ever configured stayed active', {
  timeout: 120_000,
}, async () => {
  const own = await createTestDatabase('operator_keys_upgrade');
  try {
    // The schema before operator key sources, with what the old code left: two configured keys,
    // both active, and a generated one.
    const database = await openDatabase(
      { databaseUrl: own.url, dataDir: '', poolSize: 2 },
      createLogger({ level: 'silent' }),
    );
    const generated = generateApiKey();
    try {
      const result = await createMigrator(database.db).migrateTo('20261129_0001_initial');
      assert.equal(result.error, undefined);
      const row = (id: string, name: string, key: string) => ({
        id,
        organization_id: null,
        role: 'operator' as const,
        name,
        key_hash: hashApiKey(key),
        key_hint: apiKeyHint(key),
      });
      await database.db
        .insertInto('api_keys')
        .values([
          row('key_01OLDGENERATED0000000000', 'generated operator key', generated),
          row('key_01OLDCONFIGURED000000000', 'HOOKLINE_ADMIN_KEY', KEY_A),
          row('key_01NEWCONFIGURED000000000', 'HOOKLINE_ADMIN_KEY', KEY_B),
        ])
        .execute();
    } finally {
      await database.close();
    }

    const hookline = await startHooklineProcess({
      DATABASE_URL: own.url,
      HOOKLINE_ADMIN_KEY: KEY_B,
    });
    await hookline.waitReady();
    assert.equal(await works(hookline, KEY_B), true);
    assert.equal(await works(hookline, KEY_A), false, 'the other configured key is retired');
    assert.equal(await works(hookline, generated), true, 'the generated key stays');
    const retired = logLines(hookline).find((line) => Array.isArray(line.retiredApiKeyIds));
    assert.deepEqual(retired?.retiredApiKeyIds, ['key_01OLDCONFIGURED000000000']);
    assert.deepEqual(await keyStates(client(hookline, KEY_B)), [
      'CONFIGURED:active',
      'CONFIGURED:revoked',
      'GENERATED:active',
    ]);
    assert.equal(await hookline.stop(), 0);
  } finally {
    await own.drop();
  }
});

/** A graphql-ws connection authenticated with `apiKey`; `closed` resolves to its close code. */
async function openSocket(url: string, apiKey: string): Promise<{ closed: Promise<number> }> {
  let onClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => {
    onClosed = resolve;
  });
  const socket = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    lazy: false,
    retryAttempts: 0,
    // The close is expected: `closed` reports it.
    onNonLazyError: () => {},
    on: { closed: (event) => onClosed((event as CloseEvent).code) },
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('connected', () => resolve());
    socket.on('error', reject);
  });
  after(() => socket.dispose());
  return { closed };
}
