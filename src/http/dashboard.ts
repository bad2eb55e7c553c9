import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardAsset, DashboardBuild } from '../../dashboard/build.ts';
import type { Logger } from '../shared/logger.ts';
import { frameAncestorsDirective } from './frame-ancestors.ts';
import type { RouteHandler } from './server.ts';

/** The files the dashboard build produces, by URL path (the server routes by exact path). */
export const DASHBOARD_PATHS = [
  '/',
  '/assets/app.js',
  '/assets/app.js.map',
  '/assets/styles.css',
  '/assets/styles.css.map',
] as const;

/**
 * The page may load only its own script and style and talk only to this origin (GraphQL over
 * fetch and WebSocket). No inline script can run, so injected markup cannot read the API key
 * from session storage. Only the pages HOOKLINE_PORTAL_FRAME_ANCESTORS names may frame it
 * (none by default; X-Frame-Options DENY too then, for browsers older than frame-ancestors).
 */
export function pageSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      frameAncestorsDirective(frameAncestors),
    ].join('; '),
    'referrer-policy': 'no-referrer',
    ...(frameAncestors.length === 0 ? { 'x-frame-options': 'DENY' } : {}),
  };
}

/**
 * Routes that serve the dashboard at `/`, from a build that runs in the background (the
 * composition root starts it, so the API does not wait for it); the first request waits if it
 * must. A failed build is logged and answered with 503, and the API keeps working.
 */
export function dashboardRoutes(
  logger: Logger,
  building: Promise<DashboardBuild>,
  options: { frameAncestors: readonly string[] } = { frameAncestors: [] },
): Record<string, RouteHandler> {
  const pageHeaders = pageSecurityHeaders(options.frameAncestors);
  const ready = building.then(
    (build) => build,
    (error: unknown) => {
      logger.error({ err: error }, 'the dashboard could not be built; / answers 503');
      return undefined;
    },
  );
  const handler: RouteHandler = async (req, res) => {
    const build = await ready;
    const path = (req.url ?? '/').split('?')[0]!;
    const file = build?.assets.get(path);
    if (!build) {
      sendText(res, 503, 'The dashboard could not be built: see the server log.');
    } else if (!file) {
      sendText(res, 404, 'Not found');
    } else {
      serve(req, res, file, pageHeaders);
    }
  };
  return Object.fromEntries(DASHBOARD_PATHS.map((path) => [path, handler]));
}

/** A built file, with its ETag, gzip when the client takes it, and long caching when versioned. */
export function serve(
  req: IncomingMessage,
  res: ServerResponse,
  file: DashboardAsset,
  pageHeaders: Record<string, string> = pageSecurityHeaders([]),
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const etag = `"${file.hash}${gzip ? '-gz' : ''}"`;
  const versioned = new URL(req.url ?? '/', 'http://localhost').searchParams.get('v') === file.hash;
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    'x-content-type-options': 'nosniff',
    etag,
    vary: 'accept-encoding',
    // The page names its assets with their hash (?v=...): those never change. Anything else is
    // revalidated, which costs a 304.
    'cache-control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(file.path === '/' ? pageHeaders : {}),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const body = gzip ? file.gzip! : file.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
