import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { type DashboardAsset, FAVICON } from '../../dashboard/build.ts';
import { serve } from './dashboard.ts';
import type { RouteHandler } from './server.ts';

/**
 * GraphiQL served by Hookline itself. Yoga's default page loads GraphiQL from a CDN, which is a
 * blank page on a machine without internet; @graphql-yoga/graphiql ships the same GraphiQL built
 * into a few files (the bundle, its stylesheet, the editor's web workers), which this server
 * serves under /graphiql/. The page at /graphql (Yoga renders it for a browser's GET) is ours:
 * small, loading those files and a start script, with a strict CSP of its own, and pre-filled
 * with an Authorization header to complete and an example operation.
 */
const ASSET_PREFIX = '/graphiql/';

/** URL path → file in @graphql-yoga/graphiql's dist folder (or, for start.js, ours). */
const FILES: Record<string, string> = {
  'yoga-graphiql.js': 'yoga-graphiql.umd.js',
  'graphiql.css': 'graphiql.css',
  'editor.worker.js': 'monacoeditorwork/editor.worker.bundle.js',
  'json.worker.js': 'monacoeditorwork/json.worker.bundle.js',
  'graphql.worker.js': 'monacoeditorwork/graphql.worker..bundle.js',
};
const START_SCRIPT = join(import.meta.dirname, 'graphiql-start.js');

export const GRAPHIQL_DEFAULT_QUERY = `# Hookline's GraphQL API. Put your key in the Headers
# tab below, in place of the placeholder, then run an
# operation with the ▶ button (it asks which one).
#
# 1. With the operator key (printed at the first start,
#    or your HOOKLINE_ADMIN_KEY): create an organization.
#    Its apiKey is shown only now: store it.
mutation CreateOrganization {
  createOrganization(input: { name: "Acme Voice" }) {
    organization {
      id
      name
    }
    apiKey
  }
}

# 2. With the organization's key: what it has.
query MyOrganization {
  organization {
    id
    name
  }
  agents(first: 10) {
    edges {
      node {
        id
        name
      }
    }
  }
  webhooks(first: 10) {
    edges {
      node {
        id
        url
        enabled
      }
    }
  }
}
`;

/**
 * Yoga's `graphiql` option: what the editors hold when a browser opens GraphiQL first. `query`
 * is the first tab's (Yoga's GraphiQL reads it, though Yoga's type leaves it out);
 * `defaultQuery` a new tab's.
 */
export const GRAPHIQL_OPTIONS: GraphiQLOptions & { query: string } = {
  title: 'Hookline GraphiQL',
  endpoint: '/graphql',
  query: GRAPHIQL_DEFAULT_QUERY,
  defaultQuery: GRAPHIQL_DEFAULT_QUERY,
  headers: JSON.stringify({ Authorization: 'Bearer <your API key: hkl_...>' }, null, 2),
  defaultEditorToolsVisibility: 'headers',
  // Keys stay out of the browser's storage, as in the dashboard: pasted again after a reload.
  shouldPersistHeaders: false,
  // Server-sent events: they carry the Authorization header; Yoga serves them at /graphql.
  subscriptionsProtocol: 'SSE',
};

/**
 * GraphiQL's editor (Monaco) styles elements inline and runs its language services in workers;
 * everything else is as strict as the dashboard's: this origin only, no inline script.
 */
const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

async function loadAsset(path: string, file: string): Promise<DashboardAsset> {
  const body = await readFile(file);
  // Compressed on the thread pool: the bundle is megabytes, and the event loop has work to do.
  const compressed = await promisify(gzip)(body);
  return {
    path,
    contentType: CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream',
    body,
    gzip: compressed,
    hash: createHash('sha256').update(body).digest('base64url').slice(0, 16),
  };
}

async function loadAssets(): Promise<Map<string, DashboardAsset>> {
  const dist = dirname(fileURLToPath(import.meta.resolve('@graphql-yoga/graphiql')));
  const files = [
    ...Object.entries(FILES).map(([name, file]) => [name, join(dist, file)] as const),
    ['start.js', START_SCRIPT] as const,
  ];
  const loaded = await Promise.all(
    files.map(([name, file]) => loadAsset(`${ASSET_PREFIX}${name}`, file)),
  );
  return new Map(loaded.map((asset) => [asset.path, asset]));
}

/** JSON inside a <script> element: nothing in it may close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(assets: Map<string, DashboardAsset>, options: GraphiQLOptions): string {
  const url = (name: string) => {
    const asset = assets.get(`${ASSET_PREFIX}${name}`)!;
    return `${asset.path}?v=${asset.hash}`;
  };
  const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const config = {
    options,
    workers: {
      editorWorkerService: url('editor.worker.js'),
      json: url('json.worker.js'),
      graphql: url('graphql.worker.js'),
    },
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(options.title ?? 'GraphiQL')}</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${url('graphiql.css')}">
<script id="graphiql-config" type="application/json">${scriptJson(config)}</script>
<script defer src="${url('yoga-graphiql.js')}"></script>
<script defer src="${url('start.js')}"></script>
</head>
<body id="body" class="no-focus-outline">
<div id="root"></div>
<noscript>GraphiQL needs JavaScript. The API itself is at this URL: POST GraphQL to it.</noscript>
</body>
</html>
`;
}

export interface OfflineGraphiQL {
  /** The assets, under /graphiql/. */
  routes: Record<string, RouteHandler>;
  /** Yoga's `renderGraphiQL`: the page. */
  render(options: GraphiQLOptions): Promise<string>;
  /** Gives the page its security headers. */
  plugin: Plugin;
}

/** The files are read on first use, once per server: a server nobody opens GraphiQL on reads none. */
export function offlineGraphiQL(): OfflineGraphiQL {
  let loading: Promise<Map<string, DashboardAsset>> | undefined;
  const assets = () => {
    loading ??= loadAssets().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const handler: RouteHandler = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const asset = (await assets()).get(path);
    if (asset) serve(req, res, asset);
    else res.writeHead(404).end();
  };
  return {
    routes: Object.fromEntries(
      [...Object.keys(FILES), 'start.js'].map((name) => [`${ASSET_PREFIX}${name}`, handler]),
    ),
    render: async (options) => page(await assets(), options),
    plugin: {
      onResponse({ request, response }) {
        const html = response.headers.get('content-type')?.startsWith('text/html');
        if (request.method !== 'GET' || !html) return;
        response.headers.set('content-type', 'text/html; charset=utf-8');
        for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) {
          response.headers.set(name, value);
        }
      },
    },
  };
}
