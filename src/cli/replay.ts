import { replayFailedDeliveries } from '../deliveries/deliveries.service.ts';
import { createFanOut } from '../deliveries/fan-out/fan-out.ts';
import { jobLifetimes, startQueue } from '../queue/queue.ts';
import { DomainError } from '../shared/errors.ts';
import { json, UsageError, withDatabase } from './cli-context.ts';
import { cliTransactions } from './cli-transactions.ts';
import { parseOptions, type RunCommand, required } from './command.ts';
import type { RunningServer } from './running-server.ts';

/**
 * The operator's `replayFailedDeliveries`, for any organization's webhook: every FAILED delivery
 * of the webhook created since the date starts a new series of attempts (same webhook-id), queued
 * and announced exactly as the API does it, so running workers pick them up at once.
 */
export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, {
    webhook: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
  });
  const webhookId = required(options.webhook, '--webhook');
  const sinceText = required(options.since, '--since');
  const since = new Date(sinceText);
  if (!/^\d{4}-\d{2}-\d{2}/.test(sinceText) || Number.isNaN(since.getTime())) {
    throw new UsageError(`--since must be an ISO 8601 date, such as 2026-11-29T18:00:00Z`);
  }
  const besideServer = {
    command: 'replay',
    instead: (server: RunningServer) =>
      `The webhook's organization can replay through the API with its own key (GraphiQL: ${server.url}/graphql): mutation { replayFailedDeliveries(input: { webhookId: "${webhookId}", since: "${since.toISOString()}" }) { count } }`,
  };
  return withDatabase(
    config,
    logger,
    async (database, db) => {
      const webhook = await db
        .selectFrom('webhooks')
        .select(['id', 'organization_id'])
        .where('id', '=', webhookId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!webhook) {
        io.err(`No webhook ${webhookId}.`);
        return 1;
      }
      const queue = await startQueue({
        pool: database.pool,
        mode: database.mode,
        supervise: false,
        ...jobLifetimes(config),
        logger,
      });
      const queueing = {
        transactions: cliTransactions(database, logger),
        fanOut: createFanOut({ queue, endpoints: config.delivery.endpoints }),
      };
      try {
        const count = await replayFailedDeliveries(
          queueing,
          webhook.organization_id,
          webhook.id,
          since,
        );
        if (options.json) io.out(json({ webhookId, since: since.toISOString(), replayed: count }));
        else
          io.out(
            `Replaying ${count} failed deliver${count === 1 ? 'y' : 'ies'} of ${webhookId} since ${since.toISOString()}.`,
          );
        return 0;
      } catch (error) {
        if (error instanceof DomainError) {
          io.err(error.message);
          return 1;
        }
        throw error;
      } finally {
        await queue.stop({ graceful: false, close: false });
      }
    },
    { besideServer },
  );
};
