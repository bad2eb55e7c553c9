import type { GraphQLErrorShape } from '@hookline/client';
import type WebSocket from 'ws';
import { closed, openGraphqlWs } from './live.ts';

/**
 * Requests as a hostile or careless client sends them: any body, any header, any message, so
 * that tests can see exactly what comes back (status, headers, errors, close codes).
 */
export interface RawResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: { data?: unknown; errors?: GraphQLErrorShape[] } | undefined;
  text: string;
}

export async function postRaw(
  baseUrl: string,
  body: string,
  options: { apiKey?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  let json: RawResponse['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** POSTs `{ query, variables }` as JSON. */
export function postGraphQL(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  apiKey?: string,
): Promise<RawResponse> {
  return postRaw(baseUrl, JSON.stringify({ query, variables }), { apiKey });
}

/** The first error code of a response, if any. */
export const codeOf = (response: RawResponse): string | undefined =>
  response.json?.errors?.[0]?.extensions?.code;

/** What one graphql-ws operation produced: its messages until complete or error, or a close. */
export interface WsOutcome {
  /** `next` payloads. */
  results: Array<{ data?: unknown; errors?: GraphQLErrorShape[] }>;
  /** The `error` message's errors, if the operation failed before it ran. */
  errors?: GraphQLErrorShape[];
  /** Set when the socket closed before the operation finished. */
  close?: { code: number; reason: string };
}

/**
 * A graphql-ws connection speaking the protocol by hand (connection_init, subscribe), so a test
 * sees `error` messages and close codes as they are.
 */
export class RawGraphqlWs {
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  #messages: Array<Record<string, unknown>> = [];
  #waiting: Array<() => void> = [];
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = closed(socket);
    socket.on('message', (data) => {
      this.#messages.push(JSON.parse(String(data)));
      this.#wakeAll();
    });
    socket.on('close', () => this.#wakeAll());
  }

  /** Opens a connection and waits for connection_ack (or for the close that refuses it). */
  static async connect(baseUrl: string, apiKey?: string): Promise<RawGraphqlWs> {
    const socket = openGraphqlWs(baseUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const connection = new RawGraphqlWs(socket);
    connection.send({
      type: 'connection_init',
      payload: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    });
    await connection.#until((m) => m.type === 'connection_ack');
    return connection;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Subscribes and returns the id; read its outcome with `outcome(id)` or `next(id)`. */
  subscribe(query: string, variables: Record<string, unknown> = {}): string {
    const id = String(this.#nextId++);
    this.send({ id, type: 'subscribe', payload: { query, variables } });
    return id;
  }

  /** Runs one operation to its end: complete, error, or the socket closing. */
  async run(query: string, variables: Record<string, unknown> = {}): Promise<WsOutcome> {
    const id = this.subscribe(query, variables);
    return this.outcome(id);
  }

  async outcome(id: string): Promise<WsOutcome> {
    const end = await this.#until(
      (m) => m.id === id && (m.type === 'complete' || m.type === 'error'),
    );
    const results = this.#messages
      .filter((m) => m.id === id && m.type === 'next')
      .map((m) => m.payload as WsOutcome['results'][number]);
    if (!end) return { results, close: await this.closed };
    if (end.type === 'error') return { results, errors: end.payload as GraphQLErrorShape[] };
    return { results };
  }

  /** The first `next` payload of an operation (a subscription's first event). */
  async next(id: string): Promise<WsOutcome['results'][number] | undefined> {
    const message = await this.#until((m) => m.id === id && m.type === 'next');
    return message?.payload as WsOutcome['results'][number] | undefined;
  }

  close(): void {
    this.socket.close(1000);
  }

  /** The first message satisfying `predicate`, or undefined once the socket has closed. */
  async #until(
    predicate: (message: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      const found = this.#messages.find(predicate);
      if (found) return found;
      if (this.socket.readyState >= this.socket.CLOSING) return undefined;
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
      });
    }
  }

  #wakeAll(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
