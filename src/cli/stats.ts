import { readBacklog } from '../metrics/database-gauges.ts';
import { selectWebhookHealth } from '../webhooks/webhook-stats.repository.ts';
import { json, UsageError, withDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand } from './command.ts';
import { formatTable } from './table.ts';

const WINDOW_SECONDS = 3_600;

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { json: { type: 'boolean' }, limit: { type: 'string' } });
  const limit = Number(options.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  const { backlog, webhooks } = await withDatabase(
    config,
    logger,
    async (_, db) => ({
      backlog: await readBacklog(db),
      webhooks: await selectWebhookHealth(db, WINDOW_SECONDS, limit),
    }),
    {
      besideServer: {
        command: 'stats',
        instead: (server) =>
          `The server's backlog is on ${server.url}/metrics: hookline_deliveries_pending, hookline_deliveries_due, hookline_delivery_lag_seconds, hookline_webhooks_disabled.`,
      },
    },
  );
  const rows = webhooks.map((w) => ({
    webhookId: w.webhook_id,
    organizationId: w.organization_id,
    url: w.url,
    enabled: w.enabled,
    attempts: w.attempts,
    failures: w.failures,
    failureRate: w.failures / w.attempts,
    p95LatencyMs: w.p95_ms,
    lastErrorAt: w.last_error_at,
  }));
  if (options.json) {
    io.out(
      json({
        windowSeconds: WINDOW_SECONDS,
        deliveries: {
          pending: backlog.pending,
          due: backlog.due,
          lagSeconds: backlog.lagSeconds,
        },
        disabledWebhooks: backlog.disabledWebhooks,
        webhooks: rows,
      }),
    );
    return 0;
  }
  io.out(
    formatTable(
      ['PENDING', 'DUE NOW', 'LAG', 'DISABLED WEBHOOKS'],
      [
        [
          backlog.pending,
          backlog.due,
          `${backlog.lagSeconds.toFixed(1)} s`,
          backlog.disabledWebhooks,
        ],
      ],
    ),
  );
  io.out('');
  if (rows.length === 0) {
    io.out('No delivery attempts in the last hour.');
    return 0;
  }
  io.out('Webhooks with attempts in the last hour, highest failure rate first:');
  io.out(
    formatTable(
      [
        'WEBHOOK',
        'ORGANIZATION',
        'ATTEMPTS',
        'FAILURES',
        'FAILURE RATE',
        'P95 MS',
        'LAST ERROR',
        'URL',
      ],
      rows.map((r) => [
        r.enabled ? r.webhookId : `${r.webhookId} (disabled)`,
        r.organizationId,
        r.attempts,
        r.failures,
        `${(r.failureRate * 100).toFixed(1)} %`,
        r.p95LatencyMs,
        r.lastErrorAt?.toISOString() ?? '-',
        r.url,
      ]),
    ),
  );
  return 0;
};
