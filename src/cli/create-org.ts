import { createOrganizationWithKey } from '../auth/auth.service.ts';
import { json, withDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { name: { type: 'string' }, json: { type: 'boolean' } });
  const name = required(options.name, '--name');
  const created = await withDatabase(config, logger, (_, db) =>
    db.transaction().execute((trx) => createOrganizationWithKey(trx, name)),
  );
  const organization = {
    id: created.organization.id,
    name: created.organization.name,
    createdAt: created.organization.created_at,
  };
  if (options.json) {
    io.out(json({ organization, apiKey: created.apiKey, apiKeyId: created.key.id }));
  } else {
    io.out(`Organization ${organization.id} (${organization.name})`);
    io.out(`API key ${created.key.id}: ${created.apiKey}`);
    io.out('The key is shown only now: store it.');
  }
  return 0;
};
