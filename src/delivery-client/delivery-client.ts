import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import type { AddressPolicy } from './address-policy.ts';
import { createGuardedConnector } from './connector.ts';
import { parseRetryAfter } from './retry-after.ts';

export type DeliveryErrorKind =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'blocked_address'
  | 'dns'
  | 'tls'
  | 'redirect'
  | 'invalid_response'
  | 'aborted'
  | 'invalid_url'
  | 'network'
  /** A LISTENER webhook with no `hookline listen` connected (src/webhooks/listener-relay.ts). */
  | 'listener_offline'
  /** The listener could not reach the local server it forwards to. */
  | 'listener_forward';

export type DeliveryError = { kind: DeliveryErrorKind; message: string };

export type SendOutcome = {
  status: number | null;
  /** 2xx and no error. */
  ok: boolean;
  /** At most maxResponseBytes, decoded as UTF-8 with replacement characters. */
  responseBody: string | null;
  responseHeaders: Record<string, string>;
  retryAfterSeconds: number | null;
  durationMs: number;
  error: DeliveryError | null;
};

export type DeliveryRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** This request's own limit for the whole exchange; at most the client's totalTimeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export type DeliveryClient = {
  send(request: DeliveryRequest): Promise<SendOutcome>;
  close(): Promise<void>;
};

export type DeliveryClientOptions = {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxResponseBytes: number;
  addressPolicy: AddressPolicy;
  maxConnectionsPerOrigin?: number;
};

export function createDeliveryClient(options: DeliveryClientOptions): DeliveryClient {
  const agent = new Agent({
    connect: createGuardedConnector(options),
    pipelining: 1,
    connections: options.maxConnectionsPerOrigin ?? null,
    allowH2: false,
    // The total timeout below is what callers rely on; these only stop undici's
    // 300 s defaults from keeping a socket busy should that signal be lost.
    headersTimeout: options.totalTimeoutMs,
    bodyTimeout: options.totalTimeoutMs,
  });

  return {
    async send(request) {
      const started = performance.now();
      let status: number | null = null;
      let responseHeaders: Record<string, string> = {};
      const outcome = (rest: Partial<SendOutcome>): SendOutcome => ({
        status,
        ok: false,
        responseBody: null,
        responseHeaders,
        retryAfterSeconds: null,
        error: null,
        ...rest,
        durationMs: Math.round(performance.now() - started),
      });

      const url = URL.parse(request.url);
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        return outcome({
          error: { kind: 'invalid_url', message: 'URL must be an absolute http: or https: URL' },
        });
      }

      const timeoutMs = Math.min(
        request.timeoutMs ?? options.totalTimeoutMs,
        options.totalTimeoutMs,
      );
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      try {
        const response = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal,
        });
        status = response.statusCode;
        responseHeaders = flattenHeaders(response.headers);
        const responseBody = await readAtMost(response.body, options.maxResponseBytes);
        const redirect = status >= 300 && status < 400;
        return outcome({
          ok: status >= 200 && status < 300,
          responseBody,
          retryAfterSeconds: parseRetryAfter(responseHeaders['retry-after'], new Date()),
          error: redirect
            ? {
                kind: 'redirect',
                message: `redirects are not followed (${status} to ${responseHeaders.location ?? 'no location'})`,
              }
            : null,
        });
      } catch (err) {
        return outcome({ error: classify(err, signal, timeout, timeoutMs) });
      }
    },

    async close() {
      await agent.close();
    },
  };
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * Reads up to `limit` bytes and then destroys the stream, which closes the
 * connection: an endpoint answering with gigabytes costs us `limit` bytes.
 */
async function readAtMost(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  body.destroy();
  // In streaming mode the decoder holds back a character cut in half by the limit.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks), { stream: truncated });
}

const KIND_BY_CODE: Record<string, DeliveryErrorKind> = {
  HOOKLINE_BLOCKED_ADDRESS: 'blocked_address',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NODATA: 'dns',
  EAI_NONAME: 'dns',
  UND_ERR_HEADERS_OVERFLOW: 'invalid_response',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'invalid_response',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'invalid_response',
  ENETUNREACH: 'network',
  EHOSTUNREACH: 'network',
  ENETDOWN: 'network',
  EHOSTDOWN: 'network',
};

function kindOfCode(code: string): DeliveryErrorKind | undefined {
  if (code in KIND_BY_CODE) return KIND_BY_CODE[code];
  if (code.startsWith('HPE_')) return 'invalid_response';
  // Node's TLS errors (ERR_TLS_*, ERR_SSL_*) and OpenSSL's verification codes.
  if (/^ERR_(TLS|SSL)_|CERT|_SIGNATURE$|SELF_SIGNED|UNABLE_TO_/.test(code)) return 'tls';
  return undefined;
}

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown };

/** The error and its causes, outermost first (undici and Node nest them). */
function errorChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && chain.length < 10) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) continue;
    chain.push(current);
    if ('cause' in current) queue.push(current.cause);
    if (current instanceof AggregateError) queue.push(...current.errors);
  }
  return chain;
}

function classify(
  err: unknown,
  signal: AbortSignal,
  timeout: AbortSignal,
  totalTimeoutMs: number,
): DeliveryError {
  if (signal.aborted) {
    return signal.reason === timeout.reason
      ? { kind: 'timeout', message: `no complete response within ${totalTimeoutMs} ms` }
      : { kind: 'aborted', message: 'delivery attempt was aborted' };
  }
  const chain = errorChain(err);
  for (const { name, code, message } of chain) {
    // undici 8.13's llhttp path builds HTTPParserError with an undefined code
    // (it looks the numeric error up in a name-to-number table), so match the name too.
    const kind =
      typeof code === 'string'
        ? kindOfCode(code)
        : name === 'HTTPParserError'
          ? 'invalid_response'
          : undefined;
    if (kind) return { kind, message: String(message ?? code) };
  }
  return { kind: 'network', message: String(chain[0]?.message ?? err) };
}
