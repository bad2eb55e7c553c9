export {
  createHooklineClient,
  type GraphQLErrorShape,
  type HooklineClient,
  type HooklineClientOptions,
  HooklineRequestError,
} from './client.js';
export * from './generated/graphql.js';
