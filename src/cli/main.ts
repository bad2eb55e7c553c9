import { ConfigError, parseConfig } from '../config/config.ts';
import { cliLogger, processIO, UsageError } from './cli-context.ts';
import type { CliCommand } from './command.ts';

/**
 * `hookline <command>`: the operator's command line (bin/hookline.js starts it). It reads the
 * same environment as the server (DATABASE_URL, HOOKLINE_...), through the same parser. With
 * the embedded database open in a running server, commands the API offers go through that
 * server (running-server.ts); the others say what to do instead.
 * Exit codes: 0 done, 1 failed, 2 bad usage or configuration.
 */
const COMMANDS: readonly CliCommand[] = [
  {
    name: 'migrate',
    summary: 'Apply pending database migrations.',
    usage: 'hookline migrate [--json]',
    load: async () => (await import('./migrate.ts')).run,
  },
  {
    name: 'create-org',
    summary: 'Create an organization and its first API key (shown once).',
    usage: 'hookline create-org --name <name> [--json]',
    load: async () => (await import('./create-org.ts')).run,
  },
  {
    name: 'create-key',
    summary: 'Create an API key for an organization (shown once).',
    usage: 'hookline create-key --org <organization id> --name <name> [--json]',
    load: async () => (await import('./create-key.ts')).run,
  },
  {
    name: 'operator-keys',
    summary: 'List the operator keys (configured, generated; active and revoked).',
    usage: 'hookline operator-keys [--json]',
    load: async () => (await import('./operator-keys.ts')).run,
  },
  {
    name: 'revoke-operator-key',
    summary: 'Revoke an operator key at once (never the last active one).',
    usage: 'hookline revoke-operator-key --id <operator key id> [--json]',
    load: async () => (await import('./revoke-operator-key.ts')).run,
  },
  {
    name: 'stats',
    summary: 'Delivery backlog and lag, and each webhook’s failure rate over the last hour.',
    usage: 'hookline stats [--limit <webhooks, default 20>] [--json]',
    load: async () => (await import('./stats.ts')).run,
  },
  {
    name: 'replay',
    summary: 'Deliver again every failed delivery of a webhook since a date.',
    usage: 'hookline replay --webhook <webhook id> --since <ISO 8601 date> [--json]',
    load: async () => (await import('./replay.ts')).run,
  },
  {
    name: 'listen',
    summary: 'Receive the organization’s deliveries here and forward them to a local server.',
    usage:
      'hookline listen --forward-to <url> [--api-key <ADMIN key>] [--url <server>] [--agent <agent id>]... [--events <type,...>] [--json]',
    load: async () => (await import('./listen.ts')).run,
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: hookline <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Each command reads the server’s configuration from the environment (DATABASE_URL, ...).',
    'With the embedded database, a command goes through the server that has it open, if one has.',
    'Run `hookline <command> --help` for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    processIO.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    processIO.err(`Unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    processIO.out(`Usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      processIO.err(error.message);
      return 2;
    }
    throw error;
  }
  try {
    const run = await command.load();
    return await run(args, { config, io: processIO, logger: cliLogger(config) });
  } catch (error) {
    if (error instanceof UsageError) {
      processIO.err(`${error.message}\nUsage: ${command.usage}`);
      return 2;
    }
    processIO.err(
      `hookline ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
