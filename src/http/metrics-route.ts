import type { Metrics } from '../metrics/metrics.ts';
import type { RouteHandler } from './server.ts';
import { sendJson } from './server.ts';

/** `GET /metrics`: the Prometheus text format of this process's registry. */
export function metricsRoute(metrics: Metrics): RouteHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, {
      'content-type': metrics.registry.contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}
