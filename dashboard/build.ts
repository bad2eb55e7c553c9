import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/**
 * Builds the dashboard in memory with esbuild: one JavaScript bundle (Preact, graphql-ws and the
 * screens), one stylesheet, their source maps, and the HTML page that loads them. Hookline runs
 * from source, so the dashboard does too: the API process builds it when it starts (a few
 * hundred milliseconds) and nothing on disk can go stale.
 */
export interface DashboardAsset {
  /** The URL path it is served at, e.g. /assets/app.js */
  path: string;
  contentType: string;
  body: Buffer;
  /** Present when compressing saves something. */
  gzip: Buffer | undefined;
  /** A hash of the body: the ETag, and the version the page asks for. */
  hash: string;
}

export interface DashboardBuild {
  /** Every servable file, by URL path; `/` is the page. */
  assets: Map<string, DashboardAsset>;
}

const ROOT = import.meta.dirname;
export const ASSET_PREFIX = '/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function asset(path: string, body: Buffer): DashboardAsset {
  const extension = path === '/' ? '.html' : path.slice(path.lastIndexOf('.'));
  const gzip = gzipSync(body, { level: 9 });
  return {
    path,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
    body,
    gzip: gzip.length < body.length * 0.9 ? gzip : undefined,
    hash: createHash('sha256').update(body).digest('base64url').slice(0, 16),
  };
}

/** A small mark for the tab, inline so that the page makes no request for /favicon.ico. */
export const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%233b4fd8'/%3E%3Cpath d='M10 8v16M22 8v16M10 16h12' stroke='white' stroke-width='3.5' stroke-linecap='round'/%3E%3C/svg%3E";

function page(script: DashboardAsset, style: DashboardAsset): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Hookline</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${style.path}?v=${style.hash}">
<script type="module" src="${script.path}?v=${script.hash}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Hookline dashboard needs JavaScript. The API is at /graphql.</noscript>
</body>
</html>
`;
}

export async function buildDashboard(): Promise<DashboardBuild> {
  const result = await esbuild.build({
    entryPoints: { app: join(ROOT, 'src/main.tsx'), styles: join(ROOT, 'src/styles.css') },
    bundle: true,
    write: false,
    outdir: join(ROOT, 'dist'),
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'silent',
    // esbuild only strips types (tsc checks them), whatever the project's tsconfig says for Node.
    tsconfigRaw: {},
  });
  const assets = new Map<string, DashboardAsset>();
  for (const file of result.outputFiles) {
    const path = `${ASSET_PREFIX}${basename(file.path)}`;
    assets.set(path, asset(path, Buffer.from(file.contents)));
  }
  const script = assets.get(`${ASSET_PREFIX}app.js`);
  const style = assets.get(`${ASSET_PREFIX}styles.css`);
  if (!script || !style) throw new Error('the dashboard build produced no app.js or styles.css');
  assets.set('/', asset('/', Buffer.from(page(script, style))));
  return { assets };
}
