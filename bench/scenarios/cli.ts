import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/support/cli.ts';
import { startHooklineProcess } from '../../test/support/process.ts';
import { percentile, round } from '../stats.ts';

export interface CliResults {
  /** `hookline create-org` beside a running embedded server, wall time as an operator waits. */
  commandMs: { p50: number; max: number };
  runs: number;
}

/**
 * The CLI beside a running server on the embedded database (the default `npm start`): commands
 * go through the server's API; this times them from spawn to exit.
 */
export async function runCliTimings(runs: number): Promise<CliResults> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookline-bench-cli-'));
  const server = await startHooklineProcess({ HOOKLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  try {
    await server.waitReady();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await runCli(['create-org', '--name', `Bench ${i}`, '--json'], {
        HOOKLINE_DATA_DIR: dataDir,
      });
      if (run.code !== 0) throw new Error(`hookline create-org failed: ${run.stderr}`);
      times.push(run.ms);
    }
    times.sort((a, b) => a - b);
    return { commandMs: { p50: round(percentile(times, 50)), max: round(times.at(-1)!) }, runs };
  } finally {
    await server.stop().catch(() => server.kill());
    rmSync(dataDir, { recursive: true, force: true });
  }
}
