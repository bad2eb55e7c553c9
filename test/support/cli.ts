import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const SHIM = resolve(ROOT, 'bin/hookline.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, as the operator waits for it. */
  ms: number;
}

/**
 * `hookline <args>` as an operator runs it: the bin shim, in a child process, in the project
 * folder. Only `env` configures it: what the developer's shell carries (HOOKLINE_*, PG*,
 * DATABASE_URL) must not pick another database.
 */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  node = process.execPath,
): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(childEnv)) {
    if (name.startsWith('HOOKLINE_') || name.startsWith('PG')) delete childEnv[name];
  }
  delete childEnv.DATABASE_URL;
  delete childEnv.NODE_TEST_CONTEXT;
  Object.assign(childEnv, env);
  const started = performance.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(node, [SHIM, ...args], {
      cwd: ROOT,
      env: childEnv,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    if (typeof failed.code !== 'number') throw error;
    return {
      code: failed.code,
      stdout: failed.stdout,
      stderr: failed.stderr,
      ms: performance.now() - started,
    };
  }
}
