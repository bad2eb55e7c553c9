import { startHookline } from './app.ts';
import { ConfigError, parseConfig } from './config/config.ts';
import { createLogger } from './shared/logger.ts';

/** Exit codes: 0 clean stop, 1 failed while running, 2 bad configuration. */
async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const hookline = await startHookline(config, logger).catch((error: unknown) => {
    logger.fatal({ err: error }, 'Hookline failed to start');
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await hookline.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean stop');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
