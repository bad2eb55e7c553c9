import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { KeyConnections, Refusal } from '../auth/key-revocation.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { toGraphQLError } from '../graphql/errors.ts';
import { ConnectionLimitError, UnauthenticatedError } from '../shared/errors.ts';
import { EndableStream } from '../shutdown/live-subscriptions.ts';

/**
 * Subscriptions over server-sent events count as live connections of their key, as WebSockets
 * do: revoking the key ends each stream (a last `next` with UNAUTHENTICATED, then `complete`) in
 * whichever process holds it, and a stream beyond the key's cap is refused with RATE_LIMITED
 * (status 429) before it starts.
 */
export function useSseKeyConnections(connections: KeyConnections): Plugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as Partial<GraphQLContext> & { request?: Request };
      const apiKeyId = context.viewer?.apiKeyId;
      // Over WebSocket there is no request: the socket itself is the key's connection.
      if (!context.request || !apiKeyId) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          let release = () => {};
          const stream = new EndableStream<ExecutionResult>(result, () => release());
          const admission = connections.admit(apiKeyId, {
            close: () => stream.end({ errors: [revokedError()] }),
          });
          if (!admission.admitted) {
            stream.end();
            setResult({ errors: [refusalError(admission.refusal, connections.maxPerKey)] });
            return;
          }
          release = admission.release;
          setResult(stream);
        },
      };
    },
  };
}

const revokedError = () =>
  toGraphQLError(new UnauthenticatedError('The API key was revoked: this subscription has ended'));

function refusalError(refusal: Refusal, maxPerKey: number) {
  if (refusal === 'revoked') return revokedError();
  return toGraphQLError(new ConnectionLimitError('connectionsPerKey', maxPerKey), {
    http: { status: 429 },
  });
}
