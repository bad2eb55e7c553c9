/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What an organization's API key (or portal session) may do. */
export type ApiKeyRole =
  /** Everything the organization may do. */
  | 'ADMIN'
  /** Only emit events (emitEvent, requestCallSetup) and read the event catalog (eventTypes): for a voice runtime. */
  | 'EMITTER'
  /** Read every query and subscribe; no mutation: for an ops screen. */
  | 'VIEWER';

export type AttachWebhookInput = {
  agentId: string | number;
  events: Array<EventType>;
  /** Make this webhook the agent's call-setup responder: requestCallSetup asks it, within a deadline, how to set up each call. At most one per agent (a second is a CONFLICT). Null or left out: false (attaching again states the whole wish). */
  respondsToCallSetup?: boolean | null | undefined;
  webhookId: string | number;
};

export type CircuitState =
  /** Attempts go out as usual. */
  | 'CLOSED'
  /** One held delivery is being tried as a probe. */
  | 'HALF_OPEN'
  /** Too many attempts failed in a row: deliveries are held, without spending their retry schedule, until a probe succeeds. */
  | 'OPEN';

export type CreateAgentInput = {
  /** Variables a call setup answers when the responder does not: an object of names to strings, numbers or booleans, at most 64 KiB. Null: {}. */
  callSetupFallback?: unknown;
  name: string;
};

export type CreateWebhookInput = {
  description?: string | null | undefined;
  /** Up to 10 static headers sent with every request, stored encrypted; given, they replace the webhook's (null or empty: none). */
  headers?: Array<HeaderInput> | null | undefined;
  /** Most attempts in flight at once, 1 to the operator's ceiling (HOOKLINE_ENDPOINT_MAX_CONCURRENCY). Null: the default. */
  maxConcurrency?: number | null | undefined;
  /** A call's events go to this endpoint one at a time, in order: the next is sent once the one before has succeeded or ended (FAILED, CANCELLED). Other calls are not held up. Off by default. Null: false. */
  orderByCall?: boolean | null | undefined;
  /** At most this many attempts a second, 1 to 10000. Null: no limit. */
  rateLimitPerSecond?: number | null | undefined;
  /** Send W3C `traceparent` and `tracestate` headers with each attempt (when tracing is on). Null: false. */
  sendTraceContext?: boolean | null | undefined;
  /** Time for one attempt, 100 ms up to HOOKLINE_REQUEST_TIMEOUT_MS. Null: that global timeout. */
  timeoutMs?: number | null | undefined;
  url: string;
};

export type DeleteWebhookInput = {
  id: string | number;
};

export type DeliveryKind =
  /** A call setup (requestCallSetup): sent to the agent's responder at once, tried only until its deadline, never queued or redelivered. */
  | 'CALL_SETUP'
  /** An event sent through the queue, retried on the schedule until it succeeds. */
  | 'NOTIFICATION';

export type DeliveryStatus =
  /** The webhook was disabled or deleted before delivery. */
  | 'CANCELLED'
  /** Every attempt of the schedule failed. */
  | 'FAILED'
  /** Not delivered yet, and not attempted for now: the endpoint's circuit is open after repeated failures. Held deliveries keep their remaining attempts and go out once a probe succeeds. */
  | 'HELD'
  /** Not delivered yet: an attempt is in flight or scheduled. */
  | 'PENDING'
  /** The endpoint answered 2xx. */
  | 'SUCCEEDED';

export type DetachWebhookInput = {
  agentId: string | number;
  webhookId: string | number;
};

/** What happened. Each value has a wire name, used in the delivered body. */
export type EventType =
  /** analytics-completed: Post-call analytics are ready. */
  | 'ANALYTICS_COMPLETED'
  /** delivery.exhausted: A delivery used up its retry schedule and ended FAILED: the receiver never got it. redeliver or replayFailedDeliveries start it again. */
  | 'DELIVERY_EXHAUSTED'
  /** endpoint.circuit_closed: An endpoint's circuit closed: an attempt or a probe succeeded (held deliveries go out again), or its probe time came with nothing held. */
  | 'ENDPOINT_CIRCUIT_CLOSED'
  /** endpoint.circuit_opened: An endpoint's circuit opened after failed attempts in a row: its deliveries are held, without spending their retries, until a probe succeeds. */
  | 'ENDPOINT_CIRCUIT_OPENED'
  /** endpoint.disabled: An endpoint was disabled: by Hookline after it failed for too long (trigger automatic), or by its organization (trigger manual). It gets no new deliveries until enabled again. */
  | 'ENDPOINT_DISABLED'
  /** post-conversation: A call has ended. */
  | 'POST_CONVERSATION'
  /** pre-conversation: A call is about to start. */
  | 'PRE_CONVERSATION';

/** A static request header: an HTTP header name (not one Hookline sets itself, such as webhook-*, content-type or host) and a printable value of at most 1024 characters. */
export type HeaderInput = {
  name: string;
  value: string;
};

export type RedeliverInput = {
  deliveryId: string | number;
};

export type ReplayFailedDeliveriesInput = {
  since: string;
  webhookId: string | number;
};

export type RotateWebhookSecretInput = {
  id: string | number;
};

export type SendTestEventInput = {
  type: EventType;
  webhookId: string | number;
};

export type StartPortalSessionInput = {
  token: string;
};

/** A window of time ending now. */
export type StatsWindow =
  /** The last 7 days. */
  | 'LAST_7_DAYS'
  /** The last 24 hours. */
  | 'LAST_24_HOURS'
  /** The last 60 minutes. */
  | 'LAST_HOUR';

export type ToggleWebhookInput = {
  enabled: boolean;
  id: string | number;
};

/** Fields left out (or a null name) keep their value; a null callSetupFallback is {}. */
export type UpdateAgentInput = {
  /** Variables a call setup answers when the responder does not: an object of names to strings, numbers or booleans, at most 64 KiB. Null: {}. */
  callSetupFallback?: unknown;
  id: string | number;
  name?: string | null | undefined;
};

/** Fields left out keep their value; a setting given as null goes back to its default. */
export type UpdateWebhookInput = {
  description?: string | null | undefined;
  /** Up to 10 static headers sent with every request, stored encrypted; given, they replace the webhook's (null or empty: none). */
  headers?: Array<HeaderInput> | null | undefined;
  id: string | number;
  /** Most attempts in flight at once, 1 to the operator's ceiling (HOOKLINE_ENDPOINT_MAX_CONCURRENCY). Null: the default. */
  maxConcurrency?: number | null | undefined;
  /** A call's events go to this endpoint one at a time, in order: the next is sent once the one before has succeeded or ended (FAILED, CANCELLED). Other calls are not held up. Off by default. Null: false. */
  orderByCall?: boolean | null | undefined;
  /** At most this many attempts a second, 1 to 10000. Null: no limit. */
  rateLimitPerSecond?: number | null | undefined;
  /** Send W3C `traceparent` and `tracestate` headers with each attempt (when tracing is on). Null: false. */
  sendTraceContext?: boolean | null | undefined;
  /** Time for one attempt, 100 ms up to HOOKLINE_REQUEST_TIMEOUT_MS. Null: that global timeout. */
  timeoutMs?: number | null | undefined;
  url?: string | null | undefined;
};

export type DashboardAgentsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DashboardAgentsQuery = { agents: { edges: Array<{ node: { id: string, name: string, createdAt: string, subscriptions: Array<{ events: Array<EventType>, webhook: { id: string, url: string, enabled: boolean } }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DashboardAgentQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardAgentQuery = { agent: { id: string, name: string, createdAt: string, callSetupFallback: unknown, subscriptions: Array<{ events: Array<EventType>, respondsToCallSetup: boolean, createdAt: string, webhook: { id: string, url: string, description: string, enabled: boolean } }> } | null };

export type DashboardAgentEventsQueryVariables = Exact<{
  agentId: string | number;
}>;


export type DashboardAgentEventsQuery = { events: { edges: Array<{ node: { id: string, type: EventType, createdAt: string } }> } };

export type DashboardCreateAgentMutationVariables = Exact<{
  input: CreateAgentInput;
}>;


export type DashboardCreateAgentMutation = { createAgent: { agent: { id: string, name: string, createdAt: string } } };

export type DashboardAttachWebhookMutationVariables = Exact<{
  input: AttachWebhookInput;
}>;


export type DashboardAttachWebhookMutation = { attachWebhook: { subscription: { events: Array<EventType>, respondsToCallSetup: boolean, createdAt: string, webhook: { id: string }, agent: { id: string } } } };

export type DashboardUpdateAgentFallbackMutationVariables = Exact<{
  input: UpdateAgentInput;
}>;


export type DashboardUpdateAgentFallbackMutation = { updateAgent: { agent: { id: string, callSetupFallback: unknown } } };

export type DashboardDetachWebhookMutationVariables = Exact<{
  input: DetachWebhookInput;
}>;


export type DashboardDetachWebhookMutation = { detachWebhook: { webhookId: string, agentId: string } };

export type DashboardAttemptFragment = { id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, responseBody: string | null, errorKind: string | null, error: string | null };

export type DashboardDeliveryFragment = { id: string, status: DeliveryStatus, kind: DeliveryKind, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: EventType, agent: { id: string, name: string } | null }, attempts: Array<{ id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, responseBody: string | null, errorKind: string | null, error: string | null }> };

export type DashboardWebhookDeliveriesQueryVariables = Exact<{
  id: string | number;
  status?: DeliveryStatus | null | undefined;
  before?: string | null | undefined;
}>;


export type DashboardWebhookDeliveriesQuery = { webhook: { id: string, deliveries: { edges: Array<{ node: { id: string, status: DeliveryStatus, kind: DeliveryKind, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: EventType, agent: { id: string, name: string } | null }, attempts: Array<{ id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, responseBody: string | null, errorKind: string | null, error: string | null }> } }>, pageInfo: { hasPreviousPage: boolean, startCursor: string | null } } } | null };

export type DashboardSendTestEventMutationVariables = Exact<{
  input: SendTestEventInput;
}>;


export type DashboardSendTestEventMutation = { sendTestEvent: { delivery: { id: string, status: DeliveryStatus, kind: DeliveryKind, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: EventType, agent: { id: string, name: string } | null }, attempts: Array<{ id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, responseBody: string | null, errorKind: string | null, error: string | null }> } } };

export type DashboardRedeliverMutationVariables = Exact<{
  input: RedeliverInput;
}>;


export type DashboardRedeliverMutation = { redeliver: { delivery: { id: string, status: DeliveryStatus, kind: DeliveryKind, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: EventType, agent: { id: string, name: string } | null }, attempts: Array<{ id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, responseBody: string | null, errorKind: string | null, error: string | null }> } } };

export type DashboardReplayFailedDeliveriesMutationVariables = Exact<{
  input: ReplayFailedDeliveriesInput;
}>;


export type DashboardReplayFailedDeliveriesMutation = { replayFailedDeliveries: { count: number } };

export type DashboardDeliveryAttemptsSubscriptionVariables = Exact<{
  webhookId?: string | number | null | undefined;
  agentId?: string | number | null | undefined;
  eventType?: EventType | null | undefined;
  after?: string | number | null | undefined;
}>;


export type DashboardDeliveryAttemptsSubscription = { deliveryAttempts: { id: string, attemptNumber: number, startedAt: string, durationMs: number, responseStatus: number | null, errorKind: string | null, error: string | null, delivery: { id: string, status: DeliveryStatus, kind: DeliveryKind, attemptCount: number, webhook: { id: string, url: string }, event: { id: string, type: EventType, agent: { id: string, name: string } | null } } } };

export type DashboardLiveFiltersQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardLiveFiltersQuery = { webhooks: { edges: Array<{ node: { id: string, url: string } }> }, agents: { edges: Array<{ node: { id: string, name: string } }> } };

export type DashboardDeliveryUpdatedSubscriptionVariables = Exact<{
  webhookId?: string | number | null | undefined;
}>;


export type DashboardDeliveryUpdatedSubscription = { deliveryUpdated: { id: string, status: DeliveryStatus } };

export type DashboardOverviewQueryVariables = Exact<{
  window: StatsWindow;
}>;


export type DashboardOverviewQuery = { organization: { id: string, timeline: Array<{ startsAt: string, endsAt: string, successCount: number, failureCount: number, p50LatencyMs: number | null, p95LatencyMs: number | null }>, failingWebhooks: Array<{ attemptCount: number, failureCount: number, failureRate: number, p95LatencyMs: number | null, lastErrorAt: string | null, webhook: { id: string, url: string, description: string, enabled: boolean } }> } | null };

export type DashboardSessionQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSessionQuery = { organization: { id: string, name: string, branding: { platformName: string | null, accentColor: string | null } } | null, currentCredential: { role: ApiKeyRole, portalSession: boolean, expiresAt: string | null }, eventTypes: Array<{ type: EventType, name: string, description: string, operational: boolean }> };

export type DashboardStartPortalSessionMutationVariables = Exact<{
  input: StartPortalSessionInput;
}>;


export type DashboardStartPortalSessionMutation = { startPortalSession: { credential: string, role: ApiKeyRole, expiresAt: string } };

export type DashboardWebhookRowFragment = { id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, subscriptions: Array<{ events: Array<EventType>, agent: { id: string, name: string } }>, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, stats: { attemptCount: number, successCount: number, failureCount: number, successRate: number | null, p50LatencyMs: number | null, p95LatencyMs: number | null, lastError: string | null, lastErrorAt: string | null } };

export type DashboardCircuitFragment = { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number };

export type DashboardWebhookStatsFragment = { attemptCount: number, successCount: number, failureCount: number, successRate: number | null, p50LatencyMs: number | null, p95LatencyMs: number | null, lastError: string | null, lastErrorAt: string | null };

export type DashboardStatsBucketFragment = { startsAt: string, endsAt: string, successCount: number, failureCount: number, p50LatencyMs: number | null, p95LatencyMs: number | null };

export type DashboardWebhookHealthQueryVariables = Exact<{
  id: string | number;
  window: StatsWindow;
}>;


export type DashboardWebhookHealthQuery = { webhook: { id: string, stats: { attemptCount: number, successCount: number, failureCount: number, successRate: number | null, p50LatencyMs: number | null, p95LatencyMs: number | null, lastError: string | null, lastErrorAt: string | null }, timeline: Array<{ startsAt: string, endsAt: string, successCount: number, failureCount: number, p50LatencyMs: number | null, p95LatencyMs: number | null }> } | null };

export type DashboardWebhooksQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DashboardWebhooksQuery = { webhooks: { edges: Array<{ node: { id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, subscriptions: Array<{ events: Array<EventType>, agent: { id: string, name: string } }>, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, stats: { attemptCount: number, successCount: number, failureCount: number, successRate: number | null, p50LatencyMs: number | null, p95LatencyMs: number | null, lastError: string | null, lastErrorAt: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DashboardWebhookChoicesQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardWebhookChoicesQuery = { webhooks: { edges: Array<{ node: { id: string, url: string, description: string, enabled: boolean } }> } };

export type DashboardWebhookDetailsFragment = { id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, signingSecret: string, maxConcurrency: number, rateLimitPerSecond: number | null, timeoutMs: number, orderByCall: boolean, createdAt: string, updatedAt: string, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, subscriptions: Array<{ events: Array<EventType>, respondsToCallSetup: boolean, createdAt: string, agent: { id: string, name: string } }> };

export type DashboardWebhookQueryVariables = Exact<{
  id: string | number;
}>;


export type DashboardWebhookQuery = { webhook: { id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, signingSecret: string, maxConcurrency: number, rateLimitPerSecond: number | null, timeoutMs: number, orderByCall: boolean, createdAt: string, updatedAt: string, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, subscriptions: Array<{ events: Array<EventType>, respondsToCallSetup: boolean, createdAt: string, agent: { id: string, name: string } }> } | null };

export type DashboardCreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type DashboardCreateWebhookMutation = { createWebhook: { webhook: { signingSecret: string, id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, subscriptions: Array<{ events: Array<EventType>, agent: { id: string, name: string } }>, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, stats: { attemptCount: number, successCount: number, failureCount: number, successRate: number | null, p50LatencyMs: number | null, p95LatencyMs: number | null, lastError: string | null, lastErrorAt: string | null } } } };

export type DashboardUpdateWebhookMutationVariables = Exact<{
  input: UpdateWebhookInput;
}>;


export type DashboardUpdateWebhookMutation = { updateWebhook: { webhook: { id: string, url: string, description: string, enabled: boolean, disabledReason: string | null, signingSecret: string, maxConcurrency: number, rateLimitPerSecond: number | null, timeoutMs: number, orderByCall: boolean, createdAt: string, updatedAt: string, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number }, subscriptions: Array<{ events: Array<EventType>, respondsToCallSetup: boolean, createdAt: string, agent: { id: string, name: string } }> } } };

export type DashboardToggleWebhookMutationVariables = Exact<{
  input: ToggleWebhookInput;
}>;


export type DashboardToggleWebhookMutation = { toggleWebhook: { webhook: { id: string, enabled: boolean, disabledReason: string | null, updatedAt: string, circuit: { state: CircuitState, openedAt: string | null, nextProbeAt: string | null, consecutiveFailures: number } } } };

export type DashboardRotateWebhookSecretMutationVariables = Exact<{
  input: RotateWebhookSecretInput;
}>;


export type DashboardRotateWebhookSecretMutation = { rotateWebhookSecret: { webhook: { id: string, signingSecret: string, updatedAt: string } } };

export type DashboardDeleteWebhookMutationVariables = Exact<{
  input: DeleteWebhookInput;
}>;


export type DashboardDeleteWebhookMutation = { deleteWebhook: { deletedWebhookId: string } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DashboardAttemptFragmentDoc = new TypedDocumentString(`
    fragment DashboardAttempt on DeliveryAttempt {
  id
  attemptNumber
  startedAt
  durationMs
  responseStatus
  responseBody
  errorKind
  error
}
    `, {"fragmentName":"DashboardAttempt"}) as unknown as TypedDocumentString<DashboardAttemptFragment, unknown>;
export const DashboardDeliveryFragmentDoc = new TypedDocumentString(`
    fragment DashboardDelivery on Delivery {
  id
  status
  kind
  attemptCount
  createdAt
  lastAttemptAt
  nextAttemptAt
  event {
    id
    type
    agent {
      id
      name
    }
  }
  attempts {
    ...DashboardAttempt
  }
}
    fragment DashboardAttempt on DeliveryAttempt {
  id
  attemptNumber
  startedAt
  durationMs
  responseStatus
  responseBody
  errorKind
  error
}`, {"fragmentName":"DashboardDelivery"}) as unknown as TypedDocumentString<DashboardDeliveryFragment, unknown>;
export const DashboardCircuitFragmentDoc = new TypedDocumentString(`
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
    `, {"fragmentName":"DashboardCircuit"}) as unknown as TypedDocumentString<DashboardCircuitFragment, unknown>;
export const DashboardWebhookStatsFragmentDoc = new TypedDocumentString(`
    fragment DashboardWebhookStats on WebhookStats {
  attemptCount
  successCount
  failureCount
  successRate
  p50LatencyMs
  p95LatencyMs
  lastError
  lastErrorAt
}
    `, {"fragmentName":"DashboardWebhookStats"}) as unknown as TypedDocumentString<DashboardWebhookStatsFragment, unknown>;
export const DashboardWebhookRowFragmentDoc = new TypedDocumentString(`
    fragment DashboardWebhookRow on Webhook {
  id
  url
  description
  enabled
  disabledReason
  createdAt
  subscriptions {
    events
    agent {
      id
      name
    }
  }
  circuit {
    ...DashboardCircuit
  }
  stats(window: LAST_24_HOURS) {
    ...DashboardWebhookStats
  }
}
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
fragment DashboardWebhookStats on WebhookStats {
  attemptCount
  successCount
  failureCount
  successRate
  p50LatencyMs
  p95LatencyMs
  lastError
  lastErrorAt
}`, {"fragmentName":"DashboardWebhookRow"}) as unknown as TypedDocumentString<DashboardWebhookRowFragment, unknown>;
export const DashboardStatsBucketFragmentDoc = new TypedDocumentString(`
    fragment DashboardStatsBucket on StatsBucket {
  startsAt
  endsAt
  successCount
  failureCount
  p50LatencyMs
  p95LatencyMs
}
    `, {"fragmentName":"DashboardStatsBucket"}) as unknown as TypedDocumentString<DashboardStatsBucketFragment, unknown>;
export const DashboardWebhookDetailsFragmentDoc = new TypedDocumentString(`
    fragment DashboardWebhookDetails on Webhook {
  id
  url
  description
  enabled
  disabledReason
  signingSecret
  maxConcurrency
  rateLimitPerSecond
  timeoutMs
  orderByCall
  circuit {
    ...DashboardCircuit
  }
  createdAt
  updatedAt
  subscriptions {
    events
    respondsToCallSetup
    createdAt
    agent {
      id
      name
    }
  }
}
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}`, {"fragmentName":"DashboardWebhookDetails"}) as unknown as TypedDocumentString<DashboardWebhookDetailsFragment, unknown>;
export const DashboardAgentsDocument = new TypedDocumentString(`
    query DashboardAgents($after: String) {
  agents(first: 50, after: $after) {
    edges {
      node {
        id
        name
        createdAt
        subscriptions {
          events
          webhook {
            id
            url
            enabled
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardAgentsQuery, DashboardAgentsQueryVariables>;
export const DashboardAgentDocument = new TypedDocumentString(`
    query DashboardAgent($id: ID!) {
  agent(id: $id) {
    id
    name
    createdAt
    callSetupFallback
    subscriptions {
      events
      respondsToCallSetup
      createdAt
      webhook {
        id
        url
        description
        enabled
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardAgentQuery, DashboardAgentQueryVariables>;
export const DashboardAgentEventsDocument = new TypedDocumentString(`
    query DashboardAgentEvents($agentId: ID!) {
  events(agentId: $agentId, last: 20) {
    edges {
      node {
        id
        type
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardAgentEventsQuery, DashboardAgentEventsQueryVariables>;
export const DashboardCreateAgentDocument = new TypedDocumentString(`
    mutation DashboardCreateAgent($input: CreateAgentInput!) {
  createAgent(input: $input) {
    agent {
      id
      name
      createdAt
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardCreateAgentMutation, DashboardCreateAgentMutationVariables>;
export const DashboardAttachWebhookDocument = new TypedDocumentString(`
    mutation DashboardAttachWebhook($input: AttachWebhookInput!) {
  attachWebhook(input: $input) {
    subscription {
      events
      respondsToCallSetup
      createdAt
      webhook {
        id
      }
      agent {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardAttachWebhookMutation, DashboardAttachWebhookMutationVariables>;
export const DashboardUpdateAgentFallbackDocument = new TypedDocumentString(`
    mutation DashboardUpdateAgentFallback($input: UpdateAgentInput!) {
  updateAgent(input: $input) {
    agent {
      id
      callSetupFallback
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardUpdateAgentFallbackMutation, DashboardUpdateAgentFallbackMutationVariables>;
export const DashboardDetachWebhookDocument = new TypedDocumentString(`
    mutation DashboardDetachWebhook($input: DetachWebhookInput!) {
  detachWebhook(input: $input) {
    webhookId
    agentId
  }
}
    `) as unknown as TypedDocumentString<DashboardDetachWebhookMutation, DashboardDetachWebhookMutationVariables>;
export const DashboardWebhookDeliveriesDocument = new TypedDocumentString(`
    query DashboardWebhookDeliveries($id: ID!, $status: DeliveryStatus, $before: String) {
  webhook(id: $id) {
    id
    deliveries(last: 20, before: $before, status: $status) {
      edges {
        node {
          ...DashboardDelivery
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
}
    fragment DashboardAttempt on DeliveryAttempt {
  id
  attemptNumber
  startedAt
  durationMs
  responseStatus
  responseBody
  errorKind
  error
}
fragment DashboardDelivery on Delivery {
  id
  status
  kind
  attemptCount
  createdAt
  lastAttemptAt
  nextAttemptAt
  event {
    id
    type
    agent {
      id
      name
    }
  }
  attempts {
    ...DashboardAttempt
  }
}`) as unknown as TypedDocumentString<DashboardWebhookDeliveriesQuery, DashboardWebhookDeliveriesQueryVariables>;
export const DashboardSendTestEventDocument = new TypedDocumentString(`
    mutation DashboardSendTestEvent($input: SendTestEventInput!) {
  sendTestEvent(input: $input) {
    delivery {
      ...DashboardDelivery
    }
  }
}
    fragment DashboardAttempt on DeliveryAttempt {
  id
  attemptNumber
  startedAt
  durationMs
  responseStatus
  responseBody
  errorKind
  error
}
fragment DashboardDelivery on Delivery {
  id
  status
  kind
  attemptCount
  createdAt
  lastAttemptAt
  nextAttemptAt
  event {
    id
    type
    agent {
      id
      name
    }
  }
  attempts {
    ...DashboardAttempt
  }
}`) as unknown as TypedDocumentString<DashboardSendTestEventMutation, DashboardSendTestEventMutationVariables>;
export const DashboardRedeliverDocument = new TypedDocumentString(`
    mutation DashboardRedeliver($input: RedeliverInput!) {
  redeliver(input: $input) {
    delivery {
      ...DashboardDelivery
    }
  }
}
    fragment DashboardAttempt on DeliveryAttempt {
  id
  attemptNumber
  startedAt
  durationMs
  responseStatus
  responseBody
  errorKind
  error
}
fragment DashboardDelivery on Delivery {
  id
  status
  kind
  attemptCount
  createdAt
  lastAttemptAt
  nextAttemptAt
  event {
    id
    type
    agent {
      id
      name
    }
  }
  attempts {
    ...DashboardAttempt
  }
}`) as unknown as TypedDocumentString<DashboardRedeliverMutation, DashboardRedeliverMutationVariables>;
export const DashboardReplayFailedDeliveriesDocument = new TypedDocumentString(`
    mutation DashboardReplayFailedDeliveries($input: ReplayFailedDeliveriesInput!) {
  replayFailedDeliveries(input: $input) {
    count
  }
}
    `) as unknown as TypedDocumentString<DashboardReplayFailedDeliveriesMutation, DashboardReplayFailedDeliveriesMutationVariables>;
export const DashboardDeliveryAttemptsDocument = new TypedDocumentString(`
    subscription DashboardDeliveryAttempts($webhookId: ID, $agentId: ID, $eventType: EventType, $after: ID) {
  deliveryAttempts(
    webhookId: $webhookId
    agentId: $agentId
    eventType: $eventType
    after: $after
  ) {
    id
    attemptNumber
    startedAt
    durationMs
    responseStatus
    errorKind
    error
    delivery {
      id
      status
      kind
      attemptCount
      webhook {
        id
        url
      }
      event {
        id
        type
        agent {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardDeliveryAttemptsSubscription, DashboardDeliveryAttemptsSubscriptionVariables>;
export const DashboardLiveFiltersDocument = new TypedDocumentString(`
    query DashboardLiveFilters {
  webhooks(first: 100) {
    edges {
      node {
        id
        url
      }
    }
  }
  agents(first: 100) {
    edges {
      node {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardLiveFiltersQuery, DashboardLiveFiltersQueryVariables>;
export const DashboardDeliveryUpdatedDocument = new TypedDocumentString(`
    subscription DashboardDeliveryUpdated($webhookId: ID) {
  deliveryUpdated(webhookId: $webhookId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<DashboardDeliveryUpdatedSubscription, DashboardDeliveryUpdatedSubscriptionVariables>;
export const DashboardOverviewDocument = new TypedDocumentString(`
    query DashboardOverview($window: StatsWindow!) {
  organization {
    id
    timeline(window: $window) {
      ...DashboardStatsBucket
    }
    failingWebhooks(window: $window) {
      webhook {
        id
        url
        description
        enabled
      }
      attemptCount
      failureCount
      failureRate
      p95LatencyMs
      lastErrorAt
    }
  }
}
    fragment DashboardStatsBucket on StatsBucket {
  startsAt
  endsAt
  successCount
  failureCount
  p50LatencyMs
  p95LatencyMs
}`) as unknown as TypedDocumentString<DashboardOverviewQuery, DashboardOverviewQueryVariables>;
export const DashboardSessionDocument = new TypedDocumentString(`
    query DashboardSession {
  organization {
    id
    name
    branding {
      platformName
      accentColor
    }
  }
  currentCredential {
    role
    portalSession
    expiresAt
  }
  eventTypes {
    type
    name
    description
    operational
  }
}
    `) as unknown as TypedDocumentString<DashboardSessionQuery, DashboardSessionQueryVariables>;
export const DashboardStartPortalSessionDocument = new TypedDocumentString(`
    mutation DashboardStartPortalSession($input: StartPortalSessionInput!) {
  startPortalSession(input: $input) {
    credential
    role
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<DashboardStartPortalSessionMutation, DashboardStartPortalSessionMutationVariables>;
export const DashboardWebhookHealthDocument = new TypedDocumentString(`
    query DashboardWebhookHealth($id: ID!, $window: StatsWindow!) {
  webhook(id: $id) {
    id
    stats(window: $window) {
      ...DashboardWebhookStats
    }
    timeline(window: $window) {
      ...DashboardStatsBucket
    }
  }
}
    fragment DashboardWebhookStats on WebhookStats {
  attemptCount
  successCount
  failureCount
  successRate
  p50LatencyMs
  p95LatencyMs
  lastError
  lastErrorAt
}
fragment DashboardStatsBucket on StatsBucket {
  startsAt
  endsAt
  successCount
  failureCount
  p50LatencyMs
  p95LatencyMs
}`) as unknown as TypedDocumentString<DashboardWebhookHealthQuery, DashboardWebhookHealthQueryVariables>;
export const DashboardWebhooksDocument = new TypedDocumentString(`
    query DashboardWebhooks($after: String) {
  webhooks(first: 50, after: $after) {
    edges {
      node {
        ...DashboardWebhookRow
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment DashboardWebhookRow on Webhook {
  id
  url
  description
  enabled
  disabledReason
  createdAt
  subscriptions {
    events
    agent {
      id
      name
    }
  }
  circuit {
    ...DashboardCircuit
  }
  stats(window: LAST_24_HOURS) {
    ...DashboardWebhookStats
  }
}
fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
fragment DashboardWebhookStats on WebhookStats {
  attemptCount
  successCount
  failureCount
  successRate
  p50LatencyMs
  p95LatencyMs
  lastError
  lastErrorAt
}`) as unknown as TypedDocumentString<DashboardWebhooksQuery, DashboardWebhooksQueryVariables>;
export const DashboardWebhookChoicesDocument = new TypedDocumentString(`
    query DashboardWebhookChoices {
  webhooks(first: 100) {
    edges {
      node {
        id
        url
        description
        enabled
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardWebhookChoicesQuery, DashboardWebhookChoicesQueryVariables>;
export const DashboardWebhookDocument = new TypedDocumentString(`
    query DashboardWebhook($id: ID!) {
  webhook(id: $id) {
    ...DashboardWebhookDetails
  }
}
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
fragment DashboardWebhookDetails on Webhook {
  id
  url
  description
  enabled
  disabledReason
  signingSecret
  maxConcurrency
  rateLimitPerSecond
  timeoutMs
  orderByCall
  circuit {
    ...DashboardCircuit
  }
  createdAt
  updatedAt
  subscriptions {
    events
    respondsToCallSetup
    createdAt
    agent {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<DashboardWebhookQuery, DashboardWebhookQueryVariables>;
export const DashboardCreateWebhookDocument = new TypedDocumentString(`
    mutation DashboardCreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    webhook {
      ...DashboardWebhookRow
      signingSecret
    }
  }
}
    fragment DashboardWebhookRow on Webhook {
  id
  url
  description
  enabled
  disabledReason
  createdAt
  subscriptions {
    events
    agent {
      id
      name
    }
  }
  circuit {
    ...DashboardCircuit
  }
  stats(window: LAST_24_HOURS) {
    ...DashboardWebhookStats
  }
}
fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
fragment DashboardWebhookStats on WebhookStats {
  attemptCount
  successCount
  failureCount
  successRate
  p50LatencyMs
  p95LatencyMs
  lastError
  lastErrorAt
}`) as unknown as TypedDocumentString<DashboardCreateWebhookMutation, DashboardCreateWebhookMutationVariables>;
export const DashboardUpdateWebhookDocument = new TypedDocumentString(`
    mutation DashboardUpdateWebhook($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) {
    webhook {
      ...DashboardWebhookDetails
    }
  }
}
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}
fragment DashboardWebhookDetails on Webhook {
  id
  url
  description
  enabled
  disabledReason
  signingSecret
  maxConcurrency
  rateLimitPerSecond
  timeoutMs
  orderByCall
  circuit {
    ...DashboardCircuit
  }
  createdAt
  updatedAt
  subscriptions {
    events
    respondsToCallSetup
    createdAt
    agent {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<DashboardUpdateWebhookMutation, DashboardUpdateWebhookMutationVariables>;
export const DashboardToggleWebhookDocument = new TypedDocumentString(`
    mutation DashboardToggleWebhook($input: ToggleWebhookInput!) {
  toggleWebhook(input: $input) {
    webhook {
      id
      enabled
      disabledReason
      updatedAt
      circuit {
        ...DashboardCircuit
      }
    }
  }
}
    fragment DashboardCircuit on EndpointCircuit {
  state
  openedAt
  nextProbeAt
  consecutiveFailures
}`) as unknown as TypedDocumentString<DashboardToggleWebhookMutation, DashboardToggleWebhookMutationVariables>;
export const DashboardRotateWebhookSecretDocument = new TypedDocumentString(`
    mutation DashboardRotateWebhookSecret($input: RotateWebhookSecretInput!) {
  rotateWebhookSecret(input: $input) {
    webhook {
      id
      signingSecret
      updatedAt
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardRotateWebhookSecretMutation, DashboardRotateWebhookSecretMutationVariables>;
export const DashboardDeleteWebhookDocument = new TypedDocumentString(`
    mutation DashboardDeleteWebhook($input: DeleteWebhookInput!) {
  deleteWebhook(input: $input) {
    deletedWebhookId
  }
}
    `) as unknown as TypedDocumentString<DashboardDeleteWebhookMutation, DashboardDeleteWebhookMutationVariables>;