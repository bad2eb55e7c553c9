import { ConfigError, parseConfig } from '../config/config.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createLogger } from '../shared/logger.ts';

/** `npm run migrate`: applies pending migrations to the configured database, then exits. */
try {
  const config = parseConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  const database = await openDatabase(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
      applicationName: 'hookline-migrate',
    },
    logger,
  );
  try {
    const applied = await migrateToLatest(database.db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'already up to date');
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
