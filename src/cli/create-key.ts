import { issueApiKey } from '../auth/auth.service.ts';
import { getOrganization } from '../auth/organizations.service.ts';
import { json, withDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand, required } from './command.ts';

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, {
    org: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  });
  const organizationId = required(options.org, '--org');
  const name = required(options.name, '--name');
  const issued = await withDatabase(config, logger, async (_, db) => {
    if (!(await getOrganization(db, organizationId))) return undefined;
    return issueApiKey(db, { organizationId, name });
  });
  if (!issued) {
    io.err(`No organization ${organizationId}.`);
    return 1;
  }
  if (options.json) {
    io.out(json({ apiKeyId: issued.row.id, organizationId, name, apiKey: issued.apiKey }));
  } else {
    io.out(`API key ${issued.row.id} (${name}) for ${organizationId}: ${issued.apiKey}`);
    io.out('The key is shown only now: store it.');
  }
  return 0;
};
