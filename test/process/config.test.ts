import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/config.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** If a bad setting were accepted, the child would start: keep any data it makes out of the repo. */
const dataDir = mkdtempSync(join(tmpdir(), 'hookline-config-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `node src/main.ts` with `overrides` on top of a clean environment; kills it after 20 s. */
function runMain(
  overrides: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('HOOKLINE_')) delete env[name];
  }
  delete env.DATABASE_URL;
  delete env.PORT;
  delete env.NODE_TEST_CONTEXT;
  Object.assign(env, { HOOKLINE_DATA_DIR: dataDir, LOG_LEVEL: 'info' }, overrides);
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((ok) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, output });
    }),
  );
}

describe('a bad setting stops the process before it starts', () => {
  for (const [name, value] of [
    ['PORT', 'notanumber'],
    ['HOOKLINE_ROLE', 'boss'],
  ] as const) {
    test(`${name}=${value} exits with code 2 and names ${name}`, async () => {
      const { code, output } = await runMain({ [name]: value });
      assert.equal(code, 2, output);
      assert.match(output, /Invalid configuration/);
      assert.ok(output.includes(name), `the message names ${name}:\n${output}`);
      assert.doesNotMatch(output, /listening/, 'nothing was started');
      assert.deepEqual(readdirSync(dataDir), [], 'no database was created');
    });
  }
});

describe('parseConfig', () => {
  test('defaults: port 4000 on 127.0.0.1, role all, embedded database in ./.hookline', () => {
    const config = parseConfig({});
    assert.equal(config.port, 4000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.role, 'all');
    assert.equal(config.dataDir, './.hookline');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.adminKey, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.production, false);
    assert.equal(config.delivery.retryScheduleSeconds, undefined);
    assert.deepEqual(config.delivery.allowNetworks, []);
    assert.equal(config.subscriptions.maxPerConnection, 100);
    assert.equal(config.subscriptions.maxConnectionsPerKey, 50);
    assert.deepEqual(config.corsOrigins, [], 'CORS is off');
  });

  test('an empty variable counts as unset', () => {
    const config = parseConfig({
      DATABASE_URL: '',
      PORT: '',
      HOST: '',
      HOOKLINE_ROLE: '',
      HOOKLINE_DATA_DIR: '',
      HOOKLINE_ADMIN_KEY: '',
      HOOKLINE_RETRY_SCHEDULE: '',
      HOOKLINE_ALLOW_NETWORKS: '',
      HOOKLINE_CORS_ORIGINS: '',
      HOOKLINE_MAX_CONNECTIONS_PER_KEY: '',
    });
    assert.deepEqual(config, parseConfig({}));
  });

  test('values given are used', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://hookline@db.internal:5432/hookline',
      PORT: '8080',
      HOST: '0.0.0.0',
      HOOKLINE_ROLE: 'worker',
      HOOKLINE_ADMIN_KEY: 'x'.repeat(32),
      NODE_ENV: 'production',
    });
    assert.equal(config.databaseUrl, 'postgres://hookline@db.internal:5432/hookline');
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.role, 'worker');
    assert.equal(config.adminKey, 'x'.repeat(32));
    assert.equal(config.production, true);
  });

  test('HOOKLINE_RETRY_SCHEDULE is a comma-separated list of seconds', () => {
    const config = parseConfig({ HOOKLINE_RETRY_SCHEDULE: '5, 60,3600, 0.5' });
    assert.deepEqual(config.delivery.retryScheduleSeconds, [5, 60, 3600, 0.5]);
  });

  test('HOOKLINE_ALLOW_NETWORKS is a comma-separated list of CIDRs', () => {
    const config = parseConfig({ HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8, ::1/128,10.1.0.0/16' });
    assert.deepEqual(config.delivery.allowNetworks, ['127.0.0.0/8', '::1/128', '10.1.0.0/16']);
  });

  test('HOOKLINE_CORS_ORIGINS is a comma-separated list of origins, kept as browsers send them', () => {
    const config = parseConfig({
      HOOKLINE_CORS_ORIGINS:
        'https://App.Example.com, http://localhost:5173/,https://x.example:443',
    });
    assert.deepEqual(config.corsOrigins, [
      'https://app.example.com',
      'http://localhost:5173',
      'https://x.example',
    ]);
  });

  test('the subscription caps are settings', () => {
    const config = parseConfig({
      HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5',
      HOOKLINE_MAX_CONNECTIONS_PER_KEY: '2',
    });
    assert.equal(config.subscriptions.maxPerConnection, 5);
    assert.equal(config.subscriptions.maxConnectionsPerKey, 2);
  });

  const invalid: Array<[string, Record<string, string>]> = [
    ['HOOKLINE_CORS_ORIGINS', { HOOKLINE_CORS_ORIGINS: '*' }],
    ['HOOKLINE_CORS_ORIGINS', { HOOKLINE_CORS_ORIGINS: 'https://app.example.com/path' }],
    ['HOOKLINE_CORS_ORIGINS', { HOOKLINE_CORS_ORIGINS: 'app.example.com' }],
    ['HOOKLINE_CORS_ORIGINS', { HOOKLINE_CORS_ORIGINS: 'ftp://files.example.com' }],
    [
      'HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      { HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '0' },
    ],
    ['HOOKLINE_MAX_CONNECTIONS_PER_KEY', { HOOKLINE_MAX_CONNECTIONS_PER_KEY: 'many' }],
    ['HOOKLINE_ALLOW_NETWORKS', { HOOKLINE_ALLOW_NETWORKS: '10.0.0.0/33' }],
    ['HOOKLINE_ALLOW_NETWORKS', { HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8,not-a-network' }],
    ['HOOKLINE_ALLOW_NETWORKS', { HOOKLINE_ALLOW_NETWORKS: '10.0.0.1' }],
    ['HOOKLINE_RETRY_SCHEDULE', { HOOKLINE_RETRY_SCHEDULE: '5,soon' }],
    ['HOOKLINE_RETRY_SCHEDULE', { HOOKLINE_RETRY_SCHEDULE: '5,-1' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '80.5' }],
    ['HOOKLINE_ROLE', { HOOKLINE_ROLE: 'boss' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/hookline' }],
    ['HOOKLINE_ADMIN_KEY', { HOOKLINE_ADMIN_KEY: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ];
  for (const [name, env] of invalid) {
    test(`${JSON.stringify(env)} is a ConfigError naming ${name}`, () => {
      assert.throws(
        () => parseConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.equal(error.problems.length, 1, error.message);
          assert.ok(error.problems[0]?.startsWith(`${name}:`), error.message);
          return true;
        },
      );
    });
  }

  test('every problem is reported at once', () => {
    assert.throws(
      () => parseConfig({ PORT: 'x', HOOKLINE_ROLE: 'boss', HOOKLINE_ALLOW_NETWORKS: 'nope' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems.map((p) => p.split(':')[0]).sort(), [
          'HOOKLINE_ALLOW_NETWORKS',
          'HOOKLINE_ROLE',
          'PORT',
        ]);
        return true;
      },
    );
  });
});
