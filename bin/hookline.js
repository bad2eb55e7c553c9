#!/usr/bin/env node
// `npx hookline <command>`. npm wants a JavaScript file here, and the CLI is TypeScript that only
// Node >= 22.18 runs without a build: this shim starts src/cli/main.ts with the project's pinned
// Node 24 (node_modules/.bin/node) when it is installed, else with the Node running the shim.
// Arguments, standard streams, signals and the exit code pass straight through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executable = process.platform === 'win32' ? 'node.exe' : 'node';
const candidates = [
  join(root, 'node_modules', '.bin', executable),
  // Installed as a dependency: the pinned Node may be hoisted next to us.
  join(root, '..', '.bin', executable),
];
const node = candidates.find((path) => existsSync(path)) ?? process.execPath;

if (node === process.execPath) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 18)) {
    process.stderr.write(
      `hookline needs Node.js >= 22.18 (this is ${process.version}); run \`npm install\` in ${root} to get the pinned Node 24.\n`,
    );
    process.exit(1);
  }
}

const child = spawn(node, [join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  process.stderr.write(`hookline: could not start ${node}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
