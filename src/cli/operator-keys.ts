import { OperatorKeysDocument } from '@hookline/client';
import { listOperatorKeys } from '../auth/operator-keys.service.ts';
import { json, viaServerOrDatabase } from './cli-context.ts';
import { parseOptions, type RunCommand } from './command.ts';
import { formatTable } from './table.ts';

interface OperatorKeyLine {
  id: string;
  name: string;
  hint: string;
  source: 'configured' | 'generated';
  createdAt: string;
  revokedAt: string | null;
}

export const run: RunCommand = async (args, { config, io, logger }) => {
  const options = parseOptions(args, { json: { type: 'boolean' } });
  const keys = await viaServerOrDatabase<OperatorKeyLine[]>(config, logger, {
    async server(api) {
      const { operatorKeys } = await api.request(OperatorKeysDocument);
      return operatorKeys.map((key) => ({
        id: key.id,
        name: key.name,
        hint: key.hint,
        source: key.source === 'CONFIGURED' ? 'configured' : 'generated',
        createdAt: key.createdAt,
        revokedAt: key.revokedAt ?? null,
      }));
    },
    async database(db) {
      return (await listOperatorKeys(db)).map((key) => ({
        ...key,
        createdAt: key.createdAt.toISOString(),
        revokedAt: key.revokedAt?.toISOString() ?? null,
      }));
    },
  });
  if (options.json) {
    io.out(json({ operatorKeys: keys }));
    return 0;
  }
  io.out(
    formatTable(
      ['ID', 'SOURCE', 'NAME', 'HINT', 'CREATED', 'REVOKED'],
      keys.map((k) => [k.id, k.source, k.name, k.hint, k.createdAt, k.revokedAt]),
    ),
  );
  return 0;
};
