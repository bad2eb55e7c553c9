/**
 * `npm run check` runs this: imports in src/ go one way, from higher layers to lower ones, as
 * docs/architecture.md describes. Exits 1 naming each import that goes the wrong way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Lowest first. A file may import its own layer and the ones before it. */
const LAYERS: Array<[name: string, test: (file: string) => boolean]> = [
  ['shared', (f) => f.startsWith('shared/')],
  ['config', (f) => f.startsWith('config/')],
  ['db', (f) => f.startsWith('db/')],
  ['infrastructure', (f) => /^(queue|pubsub|delivery-client|metrics)\//.test(f)],
  // Domains in order: each may use those before it. Their GraphQL files come later, below.
  ['domain: auth', (f) => domainFile(f, 'auth')],
  ['domain: agents', (f) => domainFile(f, 'agents')],
  ['domain: event-types', (f) => domainFile(f, 'event-types')],
  ['domain: webhooks', (f) => domainFile(f, 'webhooks')],
  ['domain: deliveries', (f) => domainFile(f, 'deliveries')],
  ['domain: events', (f) => domainFile(f, 'events')],
  ['domain: call-setup', (f) => domainFile(f, 'call-setup')],
  ['jobs', (f) => f.startsWith('retention/')],
  // The GraphQL layer: the builder's kit, every domain's schema files, the assembled schema.
  ['graphql', (f) => f.startsWith('graphql/') || isSchemaFile(f)],
  ['edge', (f) => /^(http|shutdown)\//.test(f)],
  ['entry points', (f) => /^(app\.ts|main\.ts|cli\/)/.test(f)],
];

const DOMAINS = ['auth', 'agents', 'event-types', 'webhooks', 'deliveries', 'events', 'call-setup'];

function isSchemaFile(file: string): boolean {
  return (
    DOMAINS.some((d) => file.startsWith(`${d}/`)) && /\.(schema|refs|subscriptions)\.ts$/.test(file)
  );
}

function domainFile(file: string, domain: string): boolean {
  return file.startsWith(`${domain}/`) && !isSchemaFile(file);
}

/**
 * Deliberate exceptions, each with its reason (docs/architecture.md lists them too):
 * - table types (`*.table.ts`) are the database's schema: anything may import them as types
 *   (db/database.ts collects them, pubsub's notices name a delivery status);
 * - config/config.ts parses each setting with the function of the module that owns its format;
 * - graphql/context.ts names, as types, the runtime parts every resolver receives.
 */
function allowed(from: string, to: string, typeOnly: boolean): boolean {
  if (typeOnly && to.endsWith('.table.ts')) return true;
  if (from === 'config/config.ts') return true;
  if (from === 'graphql/context.ts' && typeOnly) return true;
  return false;
}

function layerOf(file: string): number {
  const index = LAYERS.findIndex(([, test]) => test(file));
  if (index === -1)
    throw new Error(`src/${file} is in no layer: add it to scripts/check-layers.ts`);
  return index;
}

function* sourceFiles(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

const IMPORT = /^import\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;
const problems: string[] = [];
for (const path of sourceFiles(SRC)) {
  const from = relative(SRC, path);
  // The typed client is a package of its own, used by the server's tests only.
  if (from.startsWith('client/')) continue;
  const text = readFileSync(path, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    const target = normalize(join(dirname(path), match[2]!));
    if (!target.startsWith(SRC)) continue;
    const to = relative(SRC, target);
    if (layerOf(to) <= layerOf(from) || allowed(from, to, Boolean(match[1]))) continue;
    problems.push(
      `src/${from} (${LAYERS[layerOf(from)]![0]}) imports src/${to} (${LAYERS[layerOf(to)]![0]})`,
    );
  }
}
if (problems.length > 0) {
  process.stderr.write(
    `Imports against the layers (docs/architecture.md):\n  ${problems.join('\n  ')}\n`,
  );
  process.exit(1);
}
process.stdout.write('Imports follow the layers.\n');
