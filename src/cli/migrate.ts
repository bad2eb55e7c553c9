import { ConfigError, parseConfig } from '../config/config.ts';
import { cliLogger, json, processIO, withDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand } from './command.ts';

/**
 * `hookline migrate` (also `npm run migrate`): applies pending migrations and exits. Servers
 * migrate at start too; Kysely's migrator holds an advisory lock meanwhile, so processes
 * starting together, or this command beside them, never apply a migration twice.
 */
export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { json: { type: 'boolean' } });
  const { migrateToLatest } = await import('../db/migrate.ts');
  const applied = await withDatabase(config, logger, (_, db) => migrateToLatest(db), {
    requireMigrated: false,
    besideServer: {
      command: 'migrate',
      instead: () =>
        'The server applied every migration it knew of when it started: restarting it applies any added since.',
    },
  });
  if (options.json) io.out(json({ applied }));
  else if (applied.length === 0) io.out('Already up to date.');
  else
    io.out(`Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`);
  return 0;
};

// Run directly (`node src/cli/migrate.ts`): the same command.
if (import.meta.main) {
  try {
    const config = parseConfig(process.env);
    process.exitCode = await run(process.argv.slice(2), {
      config,
      io: processIO,
      logger: cliLogger(config),
    });
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}
