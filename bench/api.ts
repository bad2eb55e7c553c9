import { Pool } from 'undici';

/**
 * What every bench scenario needs of Hookline's API: the settings of a production process, a
 * GraphQL client on a connection pool, and the set-up mutations (an organization, an agent, a
 * webhook attached to it).
 */
export const ADMIN_KEY = 'bench-operator-key-0123456789abcdef';

/**
 * A production process on PostgreSQL (which needs an encryption key for secrets at rest:
 * docs/operations.md), receivers on loopback, and no per-key rate limit: the bench measures
 * delivery, and one key emits thousands of events a minute.
 */
export function benchSettings(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    HOOKLINE_ADMIN_KEY: ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    HOOKLINE_ENCRYPTION_KEY: 'be'.repeat(32),
    HOOKLINE_RATE_LIMIT_PER_MINUTE: '0',
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the bench reads a few known fields of each answer.
export type Answer = Record<string, any>;

export class Api {
  readonly #pool: Pool;
  constructor(url: string, connections = 64) {
    this.#pool = new Pool(url, { connections, pipelining: 1 });
  }
  async graphql(
    apiKey: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<Answer> {
    const res = await this.#pool.request({
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.body.json()) as { data?: Answer; errors?: unknown[] };
    if (body.errors || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
    return body.data;
  }
  close() {
    return this.#pool.close();
  }
}

/** A new organization, by the operator key; returns its first (ADMIN) key. */
export async function createOrganization(api: Api, name: string): Promise<string> {
  const { createOrganization } = await api.graphql(
    ADMIN_KEY,
    'mutation ($n: String!) { createOrganization(input: { name: $n }) { apiKey } }',
    { n: name },
  );
  return createOrganization.apiKey;
}

export async function createAgent(
  api: Api,
  apiKey: string,
  input: Record<string, unknown> = { name: 'Agent' },
): Promise<string> {
  const { createAgent } = await api.graphql(
    apiKey,
    'mutation ($input: CreateAgentInput!) { createAgent(input: $input) { agent { id } } }',
    { input },
  );
  return createAgent.agent.id;
}

/** A webhook for `url`, attached to the agent for `pre-conversation` events; returns its id. */
export async function attachNewWebhook(
  api: Api,
  apiKey: string,
  agentId: string,
  url: string,
  options: { respondsToCallSetup?: boolean; maxConcurrency?: number } = {},
): Promise<string> {
  const { respondsToCallSetup, maxConcurrency } = options;
  const { createWebhook } = await api.graphql(
    apiKey,
    'mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }',
    { input: { url, maxConcurrency } },
  );
  const webhookId: string = createWebhook.webhook.id;
  await api.graphql(
    apiKey,
    `mutation ($input: AttachWebhookInput!) { attachWebhook(input: $input) { subscription { createdAt } } }`,
    { input: { webhookId, agentId, events: ['PRE_CONVERSATION'], respondsToCallSetup } },
  );
  return webhookId;
}

/** The `pre-conversation` payload every scenario emits, for one call. */
export function preConversation(callId: string) {
  return { callId, callerPhoneNumber: '+14155550123', direction: 'inbound' };
}

export const EMIT = `mutation ($input: EmitEventInput!) { emitEvent(input: $input) { event { id } } }`;
