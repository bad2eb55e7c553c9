import { CreateOrganizationDocument } from '@hookline/client';
import { createOrganizationWithKey } from '../auth/auth.service.ts';
import { json, viaServerOrDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { name: { type: 'string' }, json: { type: 'boolean' } });
  const name = required(options.name, '--name');
  const created = await viaServerOrDatabase(config, logger, {
    async server(api) {
      const { createOrganization } = await api.request(CreateOrganizationDocument, {
        input: { name },
      });
      return {
        organization: createOrganization.organization,
        apiKey: createOrganization.apiKey,
        apiKeyId: createOrganization.key.id,
      };
    },
    async database(db) {
      const created = await db.transaction().execute((trx) => createOrganizationWithKey(trx, name));
      return {
        organization: {
          id: created.organization.id,
          name: created.organization.name,
          createdAt: created.organization.created_at.toISOString(),
        },
        apiKey: created.apiKey,
        apiKeyId: created.key.id,
      };
    },
  });
  const { organization, apiKey, apiKeyId } = created;
  if (options.json) {
    io.out(json({ organization, apiKey, apiKeyId }));
  } else {
    io.out(`Organization ${organization.id} (${organization.name})`);
    io.out(`API key ${apiKeyId}: ${apiKey}`);
    io.out('The key is shown only now: store it.');
  }
  return 0;
};
