import { type Hookline, startHookline } from './app.ts';
import { type Config, ConfigError, parseConfig } from './config/config.ts';
import { createLogger } from './shared/logger.ts';

/** Exit codes: 0 clean stop, 1 failed to start or to stop, 2 bad configuration. */
function readConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger({ level: config.logLevel });
let hookline: Hookline | undefined;
let stopRequested: string | undefined;

async function stop(signal: string): Promise<void> {
  if (stopRequested) return;
  stopRequested = signal;
  // A signal during start-up is honoured once start-up is done, so nothing is left half-open.
  if (!hookline) return;
  logger.info({ signal }, 'stopping');
  try {
    await hookline.stop();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'unclean stop');
    process.exit(1);
  }
}

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  hookline = await startHookline(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'Hookline failed to start');
  process.exit(1);
}
if (stopRequested) {
  const signal = stopRequested;
  stopRequested = undefined;
  await stop(signal);
}
