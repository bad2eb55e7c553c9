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
  // A webhook object (the worker's delivery context) carries both of its secrets.
  'previousSigningSecret',
  '*.previousSigningSecret',
  '*.webhook.signingSecret',
  '*.webhook.previousSigningSecret',
  'secrets',
  '*.secrets',
  // Request headers, wherever they are logged from.
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  // Connection strings hold the database password.
  'databaseUrl',
  '*.databaseUrl',
  'connectionString',
  '*.connectionString',
  'password',
  '*.password',
  'DATABASE_URL',
  'HOOKLINE_ADMIN_KEY',
  '*.DATABASE_URL',
  '*.HOOKLINE_ADMIN_KEY',
  // Encryption keys (the configuration's `encryption`), and sealed values (no use without a
  // key, but no use in a log either).
  'encryption',
  '*.encryption',
  'HOOKLINE_ENCRYPTION_KEY',
  'HOOKLINE_ENCRYPTION_PREVIOUS_KEYS',
  '*.HOOKLINE_ENCRYPTION_KEY',
  '*.HOOKLINE_ENCRYPTION_PREVIOUS_KEYS',
  'sealedSigningSecret',
  '*.sealedSigningSecret',
  'sealedPreviousSigningSecret',
  '*.sealedPreviousSigningSecret',
  'sealedHeaders',
  '*.sealedHeaders',
  // Portal links and the tokens in them.
  'portalUrl',
  '*.portalUrl',
  'token',
  '*.token',
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
