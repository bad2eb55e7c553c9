import { CreateApiKeyDocument, HooklineRequestError } from '@hookline/client';
import { issueApiKey } from '../auth/auth.service.ts';
import { getOrganization } from '../auth/organizations.service.ts';
import { json, viaServerOrDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, {
    org: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  });
  const organizationId = required(options.org, '--org');
  const name = required(options.name, '--name');
  // Undefined: no such organization.
  const issued = await viaServerOrDatabase(config, logger, {
    async server(api) {
      try {
        const { createApiKey } = await api.request(CreateApiKeyDocument, {
          input: { name, organizationId },
        });
        return { apiKeyId: createApiKey.key.id, apiKey: createApiKey.apiKey };
      } catch (error) {
        if (error instanceof HooklineRequestError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
    async database(db) {
      if (!(await getOrganization(db, organizationId))) return undefined;
      const { row, apiKey } = await issueApiKey(db, { organizationId, name });
      return { apiKeyId: row.id, apiKey };
    },
  });
  if (!issued) {
    io.err(`No organization ${organizationId}.`);
    return 1;
  }
  if (options.json) {
    io.out(json({ apiKeyId: issued.apiKeyId, organizationId, name, apiKey: issued.apiKey }));
  } else {
    io.out(`API key ${issued.apiKeyId} (${name}) for ${organizationId}: ${issued.apiKey}`);
    io.out('The key is shown only now: store it.');
  }
  return 0;
};
