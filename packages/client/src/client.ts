import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

/**
 * The typed client for integrations: queries and mutations over HTTP, subscriptions over
 * graphql-ws. Documents come from `./generated` (GraphQL Code Generator), so results and
 * variables are typed end to end.
 */
export interface HooklineClientOptions {
  /** The server's base URL (http://host:port) or its GraphQL endpoint. */
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /**
   * The WebSocket class subscriptions use. Browsers and Node >= 22 have one built in; on
   * Node 20 pass the `ws` package's: `import WebSocket from 'ws'`, then `webSocketImpl: WebSocket`.
   */
  webSocketImpl?: unknown;
}

export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The server answered with errors. `code` is the first error's `extensions.code`. */
export class HooklineRequestError extends Error {
  readonly errors: readonly GraphQLErrorShape[];
  readonly code: string | undefined;
  readonly status: number;
  constructor(errors: readonly GraphQLErrorShape[], status: number) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`);
    this.name = 'HooklineRequestError';
    this.errors = errors;
    this.code = errors[0]?.extensions?.code;
    this.status = status;
  }
}

type Variables<V> = V extends Record<string, never> ? [variables?: V] : [variables: V];

export interface HooklineClient {
  request<R, V>(document: TypedDocumentNode<R, V>, ...variables: Variables<V>): Promise<R>;
  /** Events of a subscription, until the iterator is returned or the server completes it. */
  subscribe<R, V>(
    document: TypedDocumentNode<R, V>,
    ...variables: Variables<V>
  ): AsyncIterableIterator<R>;
  close(): Promise<void>;
}

function graphqlEndpoint(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith('/graphql'))
    parsed.pathname = `${parsed.pathname.replace(/\/$/, '')}/graphql`;
  return parsed.toString();
}

const printed = new WeakMap<DocumentNode, string>();
function printOnce(document: DocumentNode): string {
  let text = printed.get(document);
  if (!text) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

export function createHooklineClient(options: HooklineClientOptions): HooklineClient {
  const endpoint = graphqlEndpoint(options.url);
  const doFetch = options.fetch ?? fetch;
  const authorization = options.apiKey ? `Bearer ${options.apiKey}` : undefined;
  let ws: WsClient | undefined;

  const wsClient = () => {
    ws ??= createWsClient({
      url: endpoint.replace(/^http/, 'ws'),
      connectionParams: authorization ? { authorization } : {},
      lazy: true,
      retryAttempts: 5,
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    });
    return ws;
  };

  return {
    async request(document, ...[variables]) {
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query: printOnce(document), variables: variables ?? {} }),
      });
      const body = (await response.json().catch(() => ({}))) as {
        data?: unknown;
        errors?: GraphQLErrorShape[];
      };
      if (body.errors?.length || body.data == null) {
        throw new HooklineRequestError(body.errors ?? [], response.status);
      }
      return body.data as never;
    },

    subscribe(document, ...[variables]) {
      const iterator = wsClient().iterate({
        query: printOnce(document),
        variables: (variables ?? {}) as Record<string, unknown>,
      });
      const mapped: AsyncIterableIterator<never> = {
        async next() {
          const result = await iterator.next();
          if (result.done) return { done: true, value: undefined };
          const payload = result.value as { data?: unknown; errors?: GraphQLErrorShape[] };
          if (payload.errors?.length) {
            await iterator.return?.();
            throw new HooklineRequestError(payload.errors, 200);
          }
          return { done: false, value: payload.data as never };
        },
        async return() {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return mapped;
        },
      };
      return mapped;
    },

    async close() {
      await ws?.dispose();
    },
  };
}
