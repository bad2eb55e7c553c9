import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, Kind, print } from 'graphql';
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
  /**
   * Events of a subscription, until the iterator is returned or the server completes it. When
   * the connection drops, it reconnects by itself; a live feed that takes `after`
   * (deliveryAttempts, deliveryUpdated) resumes after the last item received, so nothing is
   * missed or received twice.
   */
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

/** Whether the document's operation declares `$after`: it is a feed that resumes. */
function takesAfter(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.variableDefinitions?.some((variable) => variable.variable.name.value === 'after'),
  );
}

/**
 * Where an item of a live feed stands: a delivery's `changeId` (deliveryUpdated), or the id
 * (deliveryAttempts). Both sort in feed order.
 */
function positionOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const [item] = Object.values(data);
  if (typeof item !== 'object' || item === null) return undefined;
  const { changeId, id } = item as { changeId?: unknown; id?: unknown };
  const position = changeId ?? id;
  return typeof position === 'string' ? position : undefined;
}

/** Close codes after which trying again cannot help: the key or the request is wrong. */
const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4429]);

function isFinalClose(failure: unknown): boolean {
  return (
    typeof failure === 'object' &&
    failure !== null &&
    'code' in failure &&
    FINAL_CLOSE_CODES.has((failure as { code: unknown }).code as number)
  );
}

type Payload = { data?: unknown; errors?: GraphQLErrorShape[] };

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
      // A lost connection (a close or a network error) is retried; a refused key or request is not.
      shouldRetry: (failure) => !isFinalClose(failure),
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
      // graphql-ws sends this same object again when it resubscribes after a reconnect: keeping
      // `after` up to date in it is what makes the feed resume where it was.
      const request = {
        query: printOnce(document),
        variables: { ...(variables ?? {}) } as Record<string, unknown>,
      };
      const resumes = takesAfter(document);
      const received: Payload[] = [];
      let ended: { error?: unknown } | undefined;
      let wake: (() => void) | undefined;
      const dispose = wsClient().subscribe<unknown>(request, {
        next(payload) {
          const result = payload as Payload;
          const position = resumes && !result.errors?.length ? positionOf(result.data) : undefined;
          const after = request.variables.after;
          if (position && (typeof after !== 'string' || position > after)) {
            request.variables.after = position;
          }
          received.push(result);
          wake?.();
        },
        error(error) {
          ended = { error };
          wake?.();
        },
        complete() {
          ended ??= {};
          wake?.();
        },
      });
      const mapped: AsyncIterableIterator<never> = {
        async next() {
          while (received.length === 0 && !ended) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
          const payload = received.shift();
          if (!payload) {
            if (ended?.error !== undefined) {
              const { error } = ended;
              ended = {};
              throw Array.isArray(error) ? new HooklineRequestError(error, 200) : error;
            }
            return { done: true, value: undefined };
          }
          if (payload.errors?.length) {
            dispose();
            ended = {};
            received.length = 0;
            throw new HooklineRequestError(payload.errors, 200);
          }
          return { done: false, value: payload.data as never };
        },
        async return() {
          dispose();
          ended = {};
          received.length = 0;
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
