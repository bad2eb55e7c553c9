import { requestHeaders } from '../deliveries/pipeline/request-headers.ts';
import type { AttemptResult } from '../deliveries/pipeline/settlement.ts';
import type { DeliveryClient, SendOutcome } from '../delivery-client/index.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { Webhook } from '../webhooks/webhook.ts';

/** A try ends this long before the deadline at the latest, leaving time to answer. */
export const TRY_MARGIN_MS = 10;
/** With less time than this left, no new try is started. */
export const MIN_TRY_MS = 20;
/** Tries per call setup at most: an endpoint that refuses at once is not hammered. */
export const MAX_TRIES = 5;

/** Headers that tell the responder its deadline: unix ms, and ms left for this try. */
export const DEADLINE_HEADER = 'hookline-call-setup-deadline';
export const DEADLINE_MS_HEADER = 'hookline-call-setup-deadline-ms';

export interface TryPlan {
  client: DeliveryClient;
  /** Opens the webhook's sealed signing secrets and static headers. */
  keyring: Keyring;
  webhook: Webhook;
  /** The delivery id: every try's webhook-id. */
  deliveryId: string;
  body: string;
  /** performance.now() by which every try has ended, and its Date.now() equivalent. */
  deadlineAt: number;
  deadlineUnixMs: number;
  /** The endpoint's own timeout (webhook.ts effectiveTimeoutMs), which also bounds each try. */
  endpointTimeoutMs: number;
  /** Told of each try as it ends, before the next begins. */
  onResult?: (result: AttemptResult) => void;
}

/**
 * Sends the call setup until it gets an answer, and again at once after a connection error, a
 * 429 or a 5xx, while time remains: each try signed like any delivery (same webhook-id, a
 * timestamp of its own), each bounded by what is left of the deadline. Resolves with every
 * try's result, in order, by the deadline.
 */
export async function sendTries(plan: TryPlan): Promise<AttemptResult[]> {
  const results: AttemptResult[] = [];
  for (let i = 0; i < MAX_TRIES; i++) {
    const left = plan.deadlineAt - TRY_MARGIN_MS - performance.now();
    if (left < MIN_TRY_MS) break;
    const result = await sendOne(plan, Math.min(left, plan.endpointTimeoutMs));
    results.push(result);
    plan.onResult?.(result);
    if (!worthRetrying(result.outcome)) break;
  }
  return results;
}

async function sendOne(plan: TryPlan, timeoutMs: number): Promise<AttemptResult> {
  const startedAt = new Date();
  // Signed like any delivery (the same webhook-id for every try), with the webhook's own headers.
  const headers = requestHeaders({
    webhook: plan.webhook,
    keyring: plan.keyring,
    msgId: plan.deliveryId,
    body: plan.body,
    startedAt,
    extra: {
      [DEADLINE_HEADER]: String(plan.deadlineUnixMs),
      [DEADLINE_MS_HEADER]: String(Math.floor(timeoutMs)),
    },
  });
  const outcome = await plan.client.send({
    url: plan.webhook.url,
    headers: headers.sent,
    body: plan.body,
    timeoutMs: Math.floor(timeoutMs),
  });
  return { startedAt, requestHeaders: headers.logged, outcome, probe: false };
}

/** A refused or broken connection, 429 and 5xx may go better at once; nothing else will. */
function worthRetrying(outcome: SendOutcome): boolean {
  if (outcome.error) {
    return ['connection_refused', 'connection_reset', 'network'].includes(outcome.error.kind);
  }
  return outcome.status === 429 || (outcome.status !== null && outcome.status >= 500);
}
