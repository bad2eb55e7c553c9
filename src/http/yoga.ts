import { randomUUID } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import { parseBearer } from '../auth/api-key.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { GraphQLContext, Runtime } from '../graphql/context.ts';
import { maskErrors } from '../graphql/errors.ts';
import { useSharedSubscriptionEvents } from '../graphql/shared-subscription-events.ts';
import type { Logger } from '../shared/logger.ts';
import { useRequestBodyLimit } from './body-limit.ts';
import { corsSetting, useVaryOnOrigin } from './cors.ts';
import { GRAPHIQL_OPTIONS, type OfflineGraphiQL } from './graphiql.ts';
import { useJsonBodiesOnly } from './json-bodies.ts';
import { limitPlugins, MAX_REQUEST_BODY_BYTES } from './limits.ts';
import { useRequestErrorStatus } from './request-error-status.ts';
import { useRejectUnstorableText } from './unstorable-text.ts';

export interface YogaDeps {
  schema: GraphQLSchema;
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  runtime: Runtime;
  authenticator: Authenticator;
  /** Operational plugins (request log, subscription tracking), from the composition root. */
  plugins?: Plugin[];
  /** GraphiQL, when the server offers it (not in production). */
  graphiql?: OfflineGraphiQL;
}

/** What Yoga hands the context factory: a Fetch request over HTTP, connection params over WS. */
interface InitialContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
}

export type HooklineYoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

function presentedKey(initial: InitialContext): string | undefined {
  if (initial.connectionParams) {
    const value = initial.connectionParams.authorization ?? initial.connectionParams.Authorization;
    return typeof value === 'string' ? parseBearer(value) : undefined;
  }
  return parseBearer(initial.request?.headers.get('authorization'));
}

export function createHooklineYoga(deps: YogaDeps): HooklineYoga {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: deps.schema,
    graphqlEndpoint: '/graphql',
    graphiql: deps.graphiql ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: deps.graphiql?.render,
    landingPage: false,
    // Limits first: a request they refuse costs no more than parsing it.
    plugins: [
      useJsonBodiesOnly(),
      useRequestBodyLimit(MAX_REQUEST_BODY_BYTES),
      ...limitPlugins(deps.config),
      useRejectUnstorableText(),
      ...(deps.plugins ?? []),
      ...(deps.graphiql ? [deps.graphiql.plugin] : []),
      useSharedSubscriptionEvents(),
      useRequestErrorStatus(),
      useVaryOnOrigin(deps.config.corsOrigins),
    ],
    cors: corsSetting(deps.config.corsOrigins),
    // Our own body limit (first plugin) replaces Yoga's: see useRequestBodyLimit.
    maxRequestBodySize: false,
    batching: false,
    // Internal errors reach the client as "Unexpected error."; the real one is logged.
    // Domain errors reach the client with their code; the rest is "Unexpected error." and logged.
    maskedErrors: { maskError: maskErrors(deps.logger) },
    logging: {
      debug: (...args) => deps.logger.debug({ args }, 'yoga'),
      info: (...args) => deps.logger.info({ args }, 'yoga'),
      warn: (...args) => deps.logger.warn({ args }, 'yoga'),
      error: (...args) => deps.logger.error({ args }, 'yoga'),
    },
    context: async (initial: InitialContext): Promise<GraphQLContext> => {
      const viewer = await deps.authenticator.authenticate(presentedKey(initial));
      return {
        viewer: viewer ?? null,
        db: deps.db,
        config: deps.config,
        logger: deps.logger,
        runtime: deps.runtime,
        authenticator: deps.authenticator,
        requestId: initial.request?.headers.get('x-request-id') ?? randomUUID(),
      };
    },
  });
}
