import type { AddressInfo } from 'node:net';

/**
 * The base URL a person, or the CLI, on this machine uses to reach the server. A server
 * listening on every interface (0.0.0.0, ::) is reached on loopback.
 */
export function localBaseUrl(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return `http://127.0.0.1:${address.port}`;
  if (address.address === '::') return `http://[::1]:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** What the server offers people, for the start-up log line and the first-start notice. */
export interface ServerLinks {
  graphql?: string;
  graphiql?: string;
  dashboard?: string;
  metrics: string;
}

export function serverLinks(
  base: string,
  serves: { api: boolean; graphiql: boolean },
): ServerLinks {
  return {
    ...(serves.api ? { graphql: `${base}/graphql`, dashboard: `${base}/` } : {}),
    ...(serves.api && serves.graphiql ? { graphiql: `${base}/graphql` } : {}),
    metrics: `${base}/metrics`,
  };
}
