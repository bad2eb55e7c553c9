import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logger.ts';

/** A route outside GraphQL: health, readiness, metrics, the dashboard. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  routes: Record<string, RouteHandler>;
  /** Everything else (GraphQL, GraphiQL); undefined for a worker, which serves only its routes. */
  fallback?: RouteHandler;
  logger: Logger;
}

export function createHttpServer(options: HttpServerOptions): Server {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = options.routes[path] ?? options.fallback;
    try {
      if (handler) await handler(req, res);
      else sendJson(res, 404, { error: 'not found' });
    } catch (error) {
      options.logger.error({ err: error, path }, 'unhandled error in HTTP handler');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  });
  // Slow-loris protection: a client must finish sending its headers and body in time.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
