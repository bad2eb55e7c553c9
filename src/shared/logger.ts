import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Secrets are removed by configuration, so a careless `log.info(obj)` cannot leak them.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'signingSecret',
  '*.signingSecret',
  'signing_secret',
  '*.signing_secret',
  'previous_signing_secret',
  '*.previous_signing_secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'connectionParams',
  '*.connectionParams',
  'adminKey',
  '*.adminKey',
];

export function createLogger(options: {
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
