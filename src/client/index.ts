export {
  createHooklineClient,
  type GraphQLErrorShape,
  type HooklineClient,
  type HooklineClientOptions,
  HooklineRequestError,
} from './client.ts';
export * from './generated/graphql.ts';
