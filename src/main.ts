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
  if (stopRequested) {
    // A second signal while stopping (Ctrl-C again): the operator does not want to wait.
    if (hookline) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    return;
  }
  stopRequested = signal;
  // A signal during start-up is honoured once start-up is done, so nothing is left half-open.
  if (!hookline) return;
  logger.info({ signal }, 'stopping');
  // Each step is bounded; this is the backstop should one hang anyway (a wedged connection).
  setTimeout(
    () => {
      logger.error('stopping took too long: exiting');
      process.exit(1);
    },
    2 * config.shutdownTimeoutMs + 10_000,
  ).unref();
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

/**
 * A generated operator key goes to standard error as plain text a person can copy, once: the
 * JSON log never holds it (logs are kept and shipped; the key must not be).
 */
function operatorKeyNotice(key: string, links: Hookline['links']): string {
  const where = [
    links.graphiql && `GraphiQL   ${links.graphiql} (put it in the Headers tab)`,
    links.dashboard && `Dashboard  ${links.dashboard}`,
    `Metrics    ${links.metrics}`,
  ].filter(Boolean);
  return [
    '',
    'Hookline generated an operator key. It is shown only this once: store it now.',
    '',
    `    ${key}`,
    '',
    'Send it as "Authorization: Bearer <key>", or set HOOKLINE_ADMIN_KEY to a key of your own.',
    ...where,
    '',
    '',
  ].join('\n');
}

try {
  hookline = await startHookline(config, logger);
} catch (error) {
  logger.fatal({ err: error }, 'Hookline failed to start');
  process.exit(1);
}
if (hookline.generatedOperatorKey) {
  process.stderr.write(operatorKeyNotice(hookline.generatedOperatorKey, hookline.links));
}
if (stopRequested) {
  const signal = stopRequested;
  stopRequested = undefined;
  await stop(signal);
}
