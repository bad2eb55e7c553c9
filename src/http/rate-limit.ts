import {
  type DocumentNode,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { toGraphQLError } from '../graphql/errors.ts';
import { RateLimitedError } from '../shared/errors.ts';

/**
 * Mutations per API key: a token bucket per key, holding a minute's worth of mutations and
 * refilled continuously (`perMinute / 60` a second), so a key may burst up to the full minute
 * and then goes at the steady rate. Each root field of a mutation operation takes one token.
 *
 * The buckets live in this process. With several API processes, a key may make up to
 * `perMinute` mutations in each of them: divide the setting by the number of API processes
 * behind the load balancer. We chose this over a counter in PostgreSQL, which would add a write
 * (and a row lock shared by every request of the same key) to every mutation, doubling the cost
 * of the cheapest ones, to protect a database that the rate limit is there to protect.
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface TokenBucketsOptions {
  perMinute: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets idle long enough to be full again are forgotten at most once a minute. */
const SWEEP_INTERVAL_MS = 60_000;

export class TokenBuckets {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt: number;

  constructor(options: TokenBucketsOptions) {
    this.#capacity = options.perMinute;
    this.#perMs = options.perMinute / 60_000;
    this.#now = options.now ?? Date.now;
    this.#sweptAt = this.#now();
  }

  /** Takes `count` tokens from `key`'s bucket, or tells how long until they are there. */
  take(key: string, count = 1): RateDecision {
    const now = this.#now();
    this.#sweep(now);
    const bucket = this.#buckets.get(key);
    const tokens = bucket ? this.#refilled(bucket, now) : this.#capacity;
    // More than a full bucket could never pass: it passes when the bucket is full.
    const needed = Math.min(count, this.#capacity);
    if (tokens >= needed) {
      this.#buckets.set(key, { tokens: tokens - needed, at: now });
      return { allowed: true };
    }
    this.#buckets.set(key, { tokens, at: now });
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((needed - tokens) / this.#perMs / 1000)),
    };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
  }

  #sweep(now: number): void {
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now) >= this.#capacity) this.#buckets.delete(key);
    }
  }
}

/** Root fields of an operation, through fragments: how many mutations one request makes. */
export function countRootFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): number {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );
  const seen = new Set<string>();
  const count = (set: SelectionSetNode): number => {
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields++;
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields += count(selection.selectionSet);
      else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        fields += count(fragment.selectionSet);
      }
    }
    return fields;
  };
  return count(operation.selectionSet);
}

/**
 * Refuses mutations of a key whose bucket is empty with RATE_LIMITED, before anything runs:
 * `extensions.retryAfterSeconds` on both transports, and over HTTP status 429 with Retry-After.
 * Queries and subscriptions are not counted; neither are requests without a valid key (they
 * fail authentication anyway), nor the operator key: the limit protects the service from its
 * tenants, and the operator (provisioning organizations in bulk, say) is whoever runs it.
 */
export function useMutationRateLimit(buckets: TokenBuckets): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const context = args.contextValue as Partial<GraphQLContext> & { request?: Request };
      const viewer = context.viewer;
      if (viewer?.kind !== 'organization') return;
      const decision = buckets.take(viewer.apiKeyId, countRootFields(args.document, operation));
      if (decision.allowed) return;
      const seconds = decision.retryAfterSeconds;
      // Over HTTP also a status and Retry-After; graphql-ws has neither.
      const http = context.request
        ? { status: 429, headers: { 'Retry-After': String(seconds) } }
        : undefined;
      setResultAndStopExecution({
        errors: [toGraphQLError(new RateLimitedError(seconds), { http })],
      });
    },
  };
}
