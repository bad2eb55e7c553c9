import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  executeSubscriptionEvent,
  type GraphQLError,
  Kind,
  mapSourceToResponseEvent,
  type OperationDefinitionNode,
  type ValidatedSubscriptionArgs,
  type VariableNode,
  validateSubscriptionArgs,
  visit,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './context.ts';

type EventResult = ExecutionResult | Promise<ExecutionResult>;

/**
 * Subscriptions whose events are executed once per audience, not once per subscriber.
 *
 * A live feed hands the same item object to every subscriber who wants it. Subscribers with the
 * same operation, the same variables and the same authority (viewer kind, organization and role) would
 * each run the same resolvers on it and get the same result: with a hundred dashboards open, that
 * execution was most of what a delivery attempt cost. Here the first subscriber's result is kept
 * with the item (weakly: it goes when the item goes) and handed to the others, as the very same
 * object, so that the transport can serialize it once too (see ws-next-frames.ts).
 *
 * Everything else is graphql-js's own subscribe algorithm (validation, the source stream, the
 * per-event execution), so behaviour, errors and plugins are as before.
 */
export function sharingSubscriptionEvents() {
  const resultsByItem = new WeakMap<object, Map<string, EventResult>>();
  const operations = new WeakMap<OperationDefinitionNode, SharedOperation>();
  let nextOperationId = 0;

  /** Who gets identical results: same operation, variables and authority. */
  const audienceOf = (args: ValidatedSubscriptionArgs): string | undefined => {
    const viewer = (args.contextValue as Partial<GraphQLContext> | undefined)?.viewer;
    if (!viewer) return undefined;
    let operation = operations.get(args.operation);
    if (operation === undefined) {
      operation = { id: nextOperationId++, startOnly: startOnlyVariables(args.operation) };
      operations.set(args.operation, operation);
    }
    // The role too: results are shared only where every field would resolve the same.
    const authority =
      viewer.kind === 'organization' ? `${viewer.organizationId} ${viewer.role}` : viewer.kind;
    const variables = { ...args.variableValues.coerced };
    for (const name of operation.startOnly) delete variables[name];
    return `${operation.id} ${authority} ${JSON.stringify(variables)}`;
  };

  const executeShared = (args: ValidatedSubscriptionArgs, audience: string | undefined) => {
    const item = args.rootValue;
    if (typeof item !== 'object' || item === null || audience === undefined) {
      return executeSubscriptionEvent(args);
    }
    let results = resultsByItem.get(item);
    if (!results) {
      results = new Map();
      resultsByItem.set(item, results);
    }
    let result = results.get(audience);
    if (!result) {
      result = executeSubscriptionEvent(args);
      results.set(audience, result);
    }
    return result;
  };

  return function subscribeSharingEvents(args: ExecutionArgs) {
    const validated = validateSubscriptionArgs(args);
    if (!('schema' in validated)) return { errors: validated as readonly GraphQLError[] };
    const stream = createSourceEventStream(validated);
    const audience = audienceOf(validated);
    const execute = (eventArgs: ValidatedSubscriptionArgs) => executeShared(eventArgs, audience);
    const toResponses = (source: Awaited<typeof stream>) =>
      isAsyncIterable(source) ? mapSourceToResponseEvent(validated, source, execute) : source;
    return stream instanceof Promise ? stream.then(toResponses) : toResponses(stream);
  };
}

interface SharedOperation {
  id: number;
  /** Variables that only say where the stream starts: they change no event's result. */
  startOnly: string[];
}

/**
 * The variables used only as the root field's `after` (a resumed subscriber's position): a
 * dashboard back from a reconnect then shares results with those that never left.
 */
function startOnlyVariables(operation: OperationDefinitionNode): string[] {
  const uses = new Map<string, number>();
  visit(operation, {
    Variable: (node) => {
      uses.set(node.name.value, (uses.get(node.name.value) ?? 0) + 1);
    },
    // A variable's own definition is not a use.
    VariableDefinition: (node) => {
      uses.set(node.variable.name.value, (uses.get(node.variable.name.value) ?? 0) - 1);
    },
  });
  const root = operation.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) return [];
  return (root.arguments ?? [])
    .filter((arg) => arg.name.value === 'after' && arg.value.kind === Kind.VARIABLE)
    .map((arg) => (arg.value as VariableNode).name.value)
    .filter((name) => uses.get(name) === 1);
}

/**
 * Makes Yoga (over WebSocket and SSE alike) run subscriptions sharing their events' results.
 * Each call has its own memory of results, so each Yoga instance does.
 */
export function useSharedSubscriptionEvents(): Plugin {
  const subscribe = sharingSubscriptionEvents();
  return {
    onSubscribe: ({ setSubscribeFn }) => setSubscribeFn(subscribe as never),
  };
}
