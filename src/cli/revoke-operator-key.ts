import { HooklineRequestError, RevokeOperatorKeyDocument } from '@hookline/client';
import { revokeOperatorKey } from '../auth/operator-keys.service.ts';
import { DomainError } from '../shared/errors.ts';
import { json, viaServerOrDatabase } from './cli-context.ts';
import { cliTransactions } from './cli-transactions.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

/**
 * Revokes one operator key, at once and everywhere (as the API does: processes holding
 * connections opened with it close them). The last active operator key is kept.
 */
export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { id: { type: 'string' }, json: { type: 'boolean' } });
  const id = required(options.id, '--id');
  // A refusal (unknown, already revoked, the last key) comes back as its message.
  const outcome = await viaServerOrDatabase<{ name: string } | { refused: string }>(
    config,
    logger,
    {
      async server(api) {
        try {
          const { revokeOperatorKey } = await api.request(RevokeOperatorKeyDocument, {
            input: { id },
          });
          return { name: revokeOperatorKey.key.name };
        } catch (error) {
          if (error instanceof HooklineRequestError && error.code !== undefined) {
            return { refused: error.message };
          }
          throw error;
        }
      },
      async database(_db, database) {
        try {
          const revoked = await revokeOperatorKey(cliTransactions(database, logger), id);
          return { name: revoked.name };
        } catch (error) {
          if (error instanceof DomainError) return { refused: error.message };
          throw error;
        }
      },
    },
  );
  if ('refused' in outcome) {
    io.err(outcome.refused);
    return 1;
  }
  if (options.json) io.out(json({ revoked: id, name: outcome.name }));
  else io.out(`Revoked operator key ${id} (${outcome.name}): it no longer works.`);
  return 0;
};
