import type { Plugin, YogaServerOptions } from 'graphql-yoga';

/**
 * Cross-origin access to /graphql: off unless HOOKLINE_CORS_ORIGINS lists origins, and then only
 * for those, never with credentials (Hookline authenticates with a bearer key, not cookies, so a
 * browser app sends the key itself). The dashboard and GraphiQL are served from Hookline's own
 * origin and need none of it.
 *
 * Yoga's own default reflects whatever Origin comes, with Access-Control-Allow-Credentials; given
 * a list, it answers other origins with `Access-Control-Allow-Origin: null`, which documents of
 * the opaque origin "null" (sandboxed frames, data: URLs) match. So Yoga's CORS is given one
 * origin at a time, only a listed one, and `Vary: Origin` is added: the answer depends on it.
 */
export type CorsSetting = YogaServerOptions<object, object>['cors'];

export function corsSetting(origins: readonly string[]): CorsSetting {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin,
      credentials: false,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id'],
      exposedHeaders: ['retry-after', 'x-request-id'],
      maxAge: 600,
    };
  };
}

/** `Vary: Origin` on every response while CORS is on (none when it is off). */
export function useVaryOnOrigin(origins: readonly string[]): Plugin {
  if (origins.length === 0) return {};
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary?.toLowerCase().includes('origin')) response.headers.append('vary', 'Origin');
    },
  };
}

/**
 * HOOKLINE_CORS_ORIGINS: comma-separated origins (`https://app.example.com`, a port if any, no
 * path). Each is stored as the URL parser writes its origin, which is how browsers send it.
 */
export function parseOriginList(text: string): string[] {
  const origins = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return origins.map((item) => {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      throw new Error(`"${item}" is not an origin such as https://app.example.com`);
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
      throw new Error(`"${item}" is not an origin such as https://app.example.com (no path)`);
    }
    return url.origin;
  });
}
