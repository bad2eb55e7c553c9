import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * `@hookline/client` as an integrator gets it: `npm pack` of the build (made by `pretest`), the tarball
 * installed into a scratch project outside the repository, and consumer.ts run from there
 * against a real server, as plain JavaScript and compiled by tsc, on the system's Node and on
 * the pinned Node 24. The pack and the install happen once, for every case.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE_DIR = join(ROOT, 'packages/client');
const run = promisify(execFile);

/** npm and Node children see neither the test runner's nor an outer `npm test`'s settings. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('npm_') && name !== 'NODE_TEST_CONTEXT' && name !== 'NODE_OPTIONS') {
      env[name] = value;
    }
  }
  return { ...env, ...extra };
}

/** The first `node` on PATH outside any node_modules: what a shell on this machine runs. */
function systemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

interface Packed {
  files: { path: string }[];
  filename: string;
}

let scratch: string;
let packed: Packed;
let server: TestServer;
let receiver: Receiver;
let apiKey: string;
let organizationId: string;

async function packAndInstall(): Promise<void> {
  // Without its prepack build: that empties dist/ for a moment, under the feet of the other
  // test files running beside this one (they import the client from there).
  const args = ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch];
  const { stdout } = await run('npm', args, {
    cwd: PACKAGE_DIR,
    env: cleanEnv(),
  });
  packed = (JSON.parse(stdout) as Packed[])[0]!;
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'hookline-client-consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      `./${packed.filename}`,
      'graphql',
      'ws',
      '@types/ws',
      '@types/node',
    ],
    { cwd: scratch, env: cleanEnv() },
  );
  // The same program twice: compiled by tsc, and with its types stripped.
  const source = readFileSync(join(import.meta.dirname, 'consumer.ts'), 'utf8');
  writeFileSync(join(scratch, 'consumer.ts'), source);
  writeFileSync(join(scratch, 'consumer.mjs'), stripTypeScriptTypes(source));
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        types: ['node'],
        outDir: 'out',
      },
      files: ['consumer.ts'],
    }),
  );
  await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', scratch], { env: cleanEnv() });
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'hookline-client-'));
  const started = startTestServer('client_package');
  await Promise.all([
    packAndInstall(),
    (async () => {
      server = await started;
      receiver = await startReceiver();
      ({ apiKey, organizationId } = await server.newOrganization('Package consumer'));
    })(),
  ]);
});

after(async () => {
  await receiver?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('@hookline/client from its tarball', () => {
  test('the tarball holds the built package and nothing else', () => {
    const paths = packed.files.map((f) => f.path).sort();
    for (const path of ['dist/index.js', 'dist/index.d.ts', 'package.json']) {
      assert.ok(paths.includes(path), `${path} is packed`);
    }
    for (const path of paths) {
      assert.match(
        path,
        /^(dist\/.+\.(js|d\.ts)|operations\/.+\.graphql|package\.json|README\.md)$/,
      );
    }
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), [
      '@graphql-typed-document-node/core',
      'graphql-ws',
    ]);
    assert.deepEqual(Object.keys(manifest.peerDependencies), ['graphql']);
  });

  const pinned = realpathSync(process.execPath);
  const system = systemNode();
  const nodes = [
    { label: 'the pinned Node 24', path: pinned, skip: false as string | false },
    {
      label: 'the system’s Node',
      path: system ?? 'node',
      skip: system && system !== pinned ? false : 'no Node on PATH other than the pinned one',
    },
  ];
  const programs = [
    { label: 'plain JavaScript (.mjs)', file: 'consumer.mjs' },
    { label: 'TypeScript compiled by tsc', file: 'out/consumer.js' },
  ];
  for (const node of nodes) {
    for (const program of programs) {
      test(`${program.label} on ${node.label}`, { skip: node.skip }, async () => {
        const { stdout } = await run(node.path, [program.file], {
          cwd: scratch,
          env: cleanEnv({
            HOOKLINE_URL: server.url,
            HOOKLINE_API_KEY: apiKey,
            RECEIVER_URL: receiver.url,
          }),
          timeout: 60_000,
        });
        const seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
        const major = Number(/^v(\d+)/.exec(seen.node)![1]);
        assert.equal(seen.webSocket, major >= 22 ? 'built-in' : 'ws');
        assert.equal(seen.organizationId, organizationId, 'query');
        assert.equal(seen.badInputCode, 'BAD_USER_INPUT', 'HooklineRequestError with code');
        assert.match(seen.webhookId, /^whk_/, 'mutation');
        assert.deepEqual(
          seen.attempt,
          { webhookId: seen.webhookId, responseStatus: 200 },
          'subscription',
        );
      });
    }
  }
});
