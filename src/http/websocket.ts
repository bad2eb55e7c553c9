import type { Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Kysely } from 'kysely';
import { WebSocketServer } from 'ws';
import { parseBearer } from '../auth/api-key.ts';
import { authenticate } from '../auth/auth.service.ts';
import {
  type KeyConnections,
  REVOKED_CLOSE_CODE,
  REVOKED_CLOSE_REASON,
} from '../auth/key-revocation.ts';
import type { Database } from '../db/database.ts';
import { toGraphQLError } from '../graphql/errors.ts';
import { ConnectionLimitError, DomainError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { batchFrameWrites } from './ws-frame-batching.ts';
import { sendNextFramesOnce } from './ws-next-frames.ts';
import type { HooklineYoga } from './yoga.ts';

/** Largest client message we accept; GraphQL documents and variables are small. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/** The close code of a connection or subscription over its cap (graphql-ws's clients know it). */
export const TOO_MANY_CLOSE_CODE = 4429;

export interface GraphQLWebSocketDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Shared with the SSE transport: revocation closes, and the per-key cap counts, both. */
  connections: KeyConnections;
  /** Operations open at once on one socket; one more closes it with 4429. */
  maxSubscriptionsPerConnection: number;
}

export interface GraphQLWebSocket {
  dispose(): Promise<void>;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws on the GraphQL endpoint. The key is checked once at connect (a missing key closes
 * with 4401, an unknown or revoked one with 4403, one connection over the key's cap with 4429)
 * and again for every operation, through the same Yoga context factory as HTTP, so plugins,
 * limits and auth behave the same on both transports. One operation over the socket's cap closes
 * it with 4429: a client that opens that many has lost track of its subscriptions.
 */
export function attachGraphQLWebSocket(
  server: Server,
  yoga: HooklineYoga,
  deps: GraphQLWebSocketDeps,
): GraphQLWebSocket {
  const { db, logger, connections } = deps;
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: MAX_WS_MESSAGE_BYTES,
  });
  batchFrameWrites(wss);
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      // A stream's results go out serialized once per result, whoever else receives them.
      onOperation: sendNextFramesOnce(),
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        const key = typeof header === 'string' ? parseBearer(header) : undefined;
        if (!key) {
          ctx.extra.socket.close(
            CloseCode.Unauthorized,
            'Unauthorized: send connectionParams { authorization: "Bearer <key>" }',
          );
          return false;
        }
        const viewer = await authenticate(db, key);
        if (!viewer) {
          ctx.extra.socket.close(CloseCode.Forbidden, 'Forbidden: unknown or revoked API key');
          return false;
        }
        const socket = ctx.extra.socket;
        if (socket.readyState !== socket.OPEN) return false;
        // Revoking the key closes this socket (4403), in whichever process it is revoked.
        const endsAt = viewer.kind === 'organization' ? viewer.portalExpiresAt : undefined;
        const admission = connections.admit(viewer.apiKeyId, socket, endsAt);
        if (!admission.admitted) {
          if (admission.refusal === 'revoked') {
            socket.close(REVOKED_CLOSE_CODE, REVOKED_CLOSE_REASON);
          } else {
            socket.close(
              TOO_MANY_CLOSE_CODE,
              `Too many connections for this API key (at most ${connections.maxPerKey})`,
            );
          }
          return false;
        }
        socket.once('close', admission.release);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const open = Object.keys(ctx.subscriptions).length; // this one included
        if (open > deps.maxSubscriptionsPerConnection) {
          const max = deps.maxSubscriptionsPerConnection;
          ctx.extra.socket.close(
            TOO_MANY_CLOSE_CODE,
            `Too many subscriptions on this connection (at most ${max})`,
          );
          return [toGraphQLError(new ConnectionLimitError('subscriptionsPerConnection', max))];
        }
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document: DocumentNode;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          // A syntax error or a query limit ends this operation, not the whole connection.
          if (error instanceof GraphQLError) return [error];
          if (error instanceof DomainError) return [toGraphQLError(error)];
          throw error;
        }
        const args = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );
  logProtocolErrors(wss, logger);
  wss.on('error', (error) => logger.warn({ err: error }, 'websocket server error'));
  return {
    async dispose() {
      // ws waits up to 30 s for each client to answer the close frame: one unresponsive client
      // must not hold the whole stop, so whoever has not gone after 2 s is cut off.
      const cutOff = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 2_000);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(cutOff);
    },
  };
}

/**
 * A client that breaks the WebSocket protocol (a message over the size limit, a malformed or
 * unmasked frame, invalid UTF-8) makes `ws` emit an error on that socket, and `ws` has already
 * closed the connection with the matching code (1009, 1002, 1007). graphql-ws's listener would
 * print it with console.error, stack and all: anyone could write non-JSON lines into the log.
 * Its listener is replaced with one JSON line per connection, without a stack. This must be
 * registered after `useServer`, whose connection handler adds the listener replaced here.
 */
function logProtocolErrors(wss: WebSocketServer, logger: Logger): void {
  wss.on('connection', (socket, request) => {
    socket.removeAllListeners('error');
    let logged = false;
    socket.on('error', (error: Error & { code?: string }) => {
      if (logged) return;
      logged = true;
      logger.info(
        { code: error.code, reason: error.message, remoteAddress: request.socket.remoteAddress },
        'websocket closed for a protocol error',
      );
    });
  });
}
