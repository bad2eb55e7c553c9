import { setTimeout as sleep } from 'node:timers/promises';
import type { Insertable, Kysely } from 'kysely';
import type { CallVariables } from '../agents/call-variables.ts';
import type { CircuitSettings } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import { newDeliveryId } from '../deliveries/fan-out/delivery-ids.ts';
import type { FanOut } from '../deliveries/fan-out/fan-out.ts';
import { buildMessage } from '../deliveries/pipeline/build-message.ts';
import { attemptRecord } from '../deliveries/pipeline/record/insert-attempts.ts';
import type { AttemptResult } from '../deliveries/pipeline/settlement.ts';
import type { RecentAttempts } from '../deliveries/recent-attempts.ts';
import type { DeliveryClient } from '../delivery-client/index.ts';
import { type Event, toEvent } from '../events/event.ts';
import type { EventIngest, Ingested } from '../events/event-ingest.ts';
import { validatePayload } from '../events/events.service.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Transactions } from '../pubsub/transactions.ts';
import type { Keyring } from '../shared/keyring.ts';
import type { Logger } from '../shared/logger.ts';
import { effectiveTimeoutMs, toWebhook, type Webhook } from '../webhooks/webhook.ts';
import type { CallSetup } from './call-setup.ts';
import { toCallSetup } from './call-setup.ts';
import { type Interpretation, interpretResponse } from './call-setup-answer.ts';
import { callSetupDeadlineMs, MAX_CALL_SETUP_DEADLINE_MS } from './call-setup-deadline.ts';
import { type CallSetupRecord, createCallSetupRecorder } from './call-setup-record.ts';
import { sendTries } from './call-setup-tries.ts';
import * as callSetupsRepository from './call-setups.repository.ts';
import type { CallSetupsTable } from './call-setups.table.ts';

/** The answer goes out this long before the deadline at the latest, whatever is in flight. */
export const ANSWER_MARGIN_MS = 5;
/** How often a repeat looks for the answer of the setup it repeats while that is in flight. */
const REPEAT_POLL_MS = 25;
/**
 * A setup with no answer stored this long after its event was can no longer answer: its
 * process stopped mid-way (the longest deadline, then time to record).
 */
const ABANDONED_AFTER_MS = MAX_CALL_SETUP_DEADLINE_MS + 5_000;

export interface CallSetupSettings {
  /** HOOKLINE_CALL_SETUP_DEADLINE_MS: the deadline when a request names none. */
  defaultDeadlineMs: number;
  /** HOOKLINE_REQUEST_TIMEOUT_MS: the ceiling of an endpoint's own timeout. */
  requestTimeoutMs: number;
  circuit: CircuitSettings;
  disableAfterSeconds: number;
}

export interface CallSetupLaneOptions {
  db: Kysely<Database>;
  /** Where the setup's event is stored and fanned out, as emitEvent's are. */
  ingest: EventIngest;
  /** Where its tries are recorded, and what they release or hold. */
  transactions: Transactions;
  fanOut: FanOut;
  metrics: Metrics;
  /** The lane's own client: its own connection pool, the same SSRF guard as the workers'. */
  client: DeliveryClient;
  /** Opens the responder's sealed signing secrets and static headers. */
  keyring: Keyring;
  settings: CallSetupSettings;
  logger: Logger;
  recentAttempts?: RecentAttempts;
}

export interface RequestCallSetupInput {
  agentId: string;
  payload: unknown;
  deadlineMs?: number | null;
  idempotencyKey?: string | null;
}

/**
 * The call-setup lane: `request` stores the pre-conversation event through the same ingest as
 * emitEvent (the agent's other subscribers get it through the queue, durably), asks the agent's
 * responder inline, in this process, with a client of its own, and answers by the deadline
 * whatever the responder does. The tries are recorded after the answer, like any delivery's
 * attempts; `stop` waits for those recordings.
 */
export interface CallSetupLane {
  request(
    organizationId: string,
    input: RequestCallSetupInput,
  ): Promise<{ event: Event; setup: CallSetup }>;
  stop(): Promise<void>;
}

interface Answer {
  outcome: CallSetup['outcome'];
  action: CallSetup['action'];
  variables: CallVariables;
  reason: string | null;
}

/** One setup on its way: what it is for, and its clock. */
interface Setup {
  organizationId: string;
  event: Ingested['event'];
  deadlineMs: number;
  /** performance.now() when the request began, and its deadline on that clock. */
  began: number;
  deadlineAt: number;
  startedAt: Date;
  fallback: CallVariables;
}

export function createCallSetupLane(options: CallSetupLaneOptions): CallSetupLane {
  const { db, settings, logger, metrics } = options;
  const recordings = new Set<Promise<void>>();
  const recordNow = createCallSetupRecorder({
    transactions: options.transactions,
    metrics,
    logger,
    fanOut: options.fanOut,
    circuit: settings.circuit,
    disableAfterSeconds: settings.disableAfterSeconds,
    recentAttempts: options.recentAttempts,
  });

  /**
   * Records an answered setup in the background, once `ready` (its tries over); `stop` waits
   * for it. Never rejects.
   */
  const record = (eventId: string, ready: Promise<CallSetupRecord>): Promise<void> => {
    const recording = ready
      .then(recordNow)
      .catch((error: unknown) =>
        logger.error({ err: error, eventId }, 'could not record a call setup'),
      );
    recordings.add(recording);
    void recording.finally(() => recordings.delete(recording));
    return recording;
  };

  const fallback = (setup: Setup, reason: string): Answer => ({
    outcome: 'FALLBACK',
    action: 'CONTINUE',
    variables: setup.fallback,
    reason,
  });

  /** The answer as the caller gets it, counted once given. */
  const finish = (
    setup: Setup,
    answer: Answer,
    parts: Pick<CallSetup, 'webhookId' | 'deliveryId'>,
  ): CallSetup => {
    const durationMs = Math.round(performance.now() - setup.began);
    metrics.callSetups.inc({ outcome: answer.outcome });
    metrics.callSetupDuration.observe({ outcome: answer.outcome }, durationMs / 1000);
    return {
      eventId: setup.event.id,
      organizationId: setup.organizationId,
      ...answer,
      durationMs,
      ...parts,
    };
  };

  /** An answer given without asking anyone (no responder, disabled, open circuit). */
  const answerAtOnce = (setup: Setup, answer: Answer, webhookId: string | null): CallSetup => {
    const result = finish(setup, answer, { webhookId, deliveryId: null });
    const recorded = record(result.eventId, Promise.resolve({ answer: answerRow(result, setup) }));
    return { ...result, fresh: { attempts: () => [], recorded, deadlineAt: setup.deadlineAt } };
  };

  /** Asks the responder, answers by the deadline, and records the tries once they are over. */
  const ask = async (setup: Setup, webhook: Webhook): Promise<CallSetup> => {
    const deliveryId = newDeliveryId(setup.event.id);
    const tries: { result: AttemptResult; record: DeliveryAttempt }[] = [];
    const sent = sendTries({
      client: options.client,
      keyring: options.keyring,
      webhook,
      deliveryId,
      body: buildMessage(toEvent(setup.event)),
      deadlineAt: setup.deadlineAt,
      deadlineUnixMs: Date.now() + (setup.deadlineAt - performance.now()),
      endpointTimeoutMs: effectiveTimeoutMs(webhook, settings.requestTimeoutMs),
      onResult: (result) => {
        const target = {
          organizationId: setup.organizationId,
          deliveryId,
          webhookId: webhook.id,
          attemptNumber: tries.length + 1,
        };
        const refused = refusal(interpretResponse(result.outcome));
        tries.push({ result, record: attemptRecord(target, result, refused) });
      },
    });
    const timer = new AbortController();
    const deadline = sleep(setup.deadlineAt - ANSWER_MARGIN_MS - performance.now(), 'deadline', {
      signal: timer.signal,
    }).catch(() => 'cancelled');
    const first = await Promise.race([sent, deadline]);
    timer.abort();
    const last = tries.at(-1);
    const answer: Answer =
      first === 'deadline' || !last
        ? fallback(setup, 'timeout')
        : toAnswer(interpretResponse(last.result.outcome), setup);
    const result = finish(setup, answer, {
      webhookId: webhook.id,
      deliveryId: last || first === 'deadline' ? deliveryId : null,
    });
    // The tries end by the deadline (each is bounded by it); then they are recorded.
    const recorded = record(
      result.eventId,
      sent.then(() => ({
        answer: answerRow({ ...result, deliveryId: tries.length > 0 ? deliveryId : null }, setup),
        sent: {
          event: {
            id: setup.event.id,
            organizationId: setup.organizationId,
            agentId: setup.event.agent_id,
            callId: setup.event.call_id,
          },
          webhook,
          deliveryId,
          tries,
        },
      })),
    );
    return {
      ...result,
      fresh: {
        attempts: () => tries.map((t) => t.record),
        recorded,
        deadlineAt: setup.deadlineAt,
      },
    };
  };

  /** A fresh setup: no responder, a responder that cannot be asked now, or one to ask. */
  const run = (setup: Setup, responder: Webhook | null): Promise<CallSetup> | CallSetup => {
    if (!responder) {
      return answerAtOnce(
        setup,
        { outcome: 'NO_RESPONDER', action: 'CONTINUE', variables: setup.fallback, reason: null },
        null,
      );
    }
    if (!responder.enabled) {
      return answerAtOnce(setup, fallback(setup, 'webhook_disabled'), responder.id);
    }
    if (responder.circuit.state !== 'CLOSED') {
      return answerAtOnce(setup, fallback(setup, 'circuit_open'), responder.id);
    }
    return ask(setup, responder);
  };

  /**
   * A repeat of an idempotency key: the first setup's answer, once stored. While the first is
   * still in flight the repeat waits for it, within its own deadline; a first that can no longer
   * answer (its process stopped before it did) is answered with the fallback now, for good.
   */
  const repeat = async (setup: Setup): Promise<CallSetup> => {
    for (;;) {
      const row = await callSetupsRepository.findCallSetup(
        db,
        setup.organizationId,
        setup.event.id,
      );
      if (row) return toCallSetup(row);
      if (setup.event.created_at.getTime() + ABANDONED_AFTER_MS < Date.now()) {
        const result = finish(setup, fallback(setup, 'interrupted'), {
          webhookId: null,
          deliveryId: null,
        });
        const stored = await callSetupsRepository.storeCallSetupAnswers(db, [
          answerRow(result, setup),
        ]);
        if (stored.has(setup.event.id)) return result;
        continue;
      }
      if (performance.now() + REPEAT_POLL_MS > setup.deadlineAt - ANSWER_MARGIN_MS) {
        return finish(setup, fallback(setup, 'in_flight'), { webhookId: null, deliveryId: null });
      }
      await sleep(REPEAT_POLL_MS);
    }
  };

  return {
    async request(organizationId, input) {
      const began = performance.now();
      const startedAt = new Date();
      const deadlineMs = callSetupDeadlineMs(input.deadlineMs, settings.defaultDeadlineMs);
      const payload = validatePayload('PRE_CONVERSATION', input.payload);
      const [ingested, found] = await Promise.all([
        options.ingest({
          organizationId,
          agentId: input.agentId,
          type: 'PRE_CONVERSATION',
          payload: payload.data,
          idempotencyKey: input.idempotencyKey ?? null,
          payloadBytes: payload.bytes,
          skipResponder: true,
        }),
        callSetupsRepository.findAgentResponder(db, organizationId, input.agentId),
      ]);
      const setup: Setup = {
        organizationId,
        event: ingested.event,
        deadlineMs,
        began,
        deadlineAt: began + deadlineMs,
        startedAt,
        fallback: found?.fallback ?? {},
      };
      const event = toEvent(ingested.event);
      // A key used before for another agent, type or payload is the ingest's CONFLICT.
      if (ingested.replayed) return { event, setup: await repeat(setup) };
      metrics.eventsIngested.inc({ type: 'PRE_CONVERSATION' });
      const responder = found?.webhook ? toWebhook(found.webhook) : null;
      return { event, setup: await run(setup, responder) };
    },
    async stop() {
      await Promise.all(recordings);
      await options.client.close();
    },
  };
}

function toAnswer(reading: Interpretation, setup: Setup): Answer {
  if (reading.answered) {
    return {
      outcome: 'ANSWERED',
      action: reading.action,
      variables: reading.variables,
      reason: null,
    };
  }
  return {
    outcome: 'FALLBACK',
    action: 'CONTINUE',
    variables: setup.fallback,
    reason: reading.reason,
  };
}

function refusal(reading: Interpretation): { kind: string; message: string } | undefined {
  return reading.answered ? undefined : reading.refused;
}

/** The row that keeps a setup's answer, for repeats. */
function answerRow(setup: CallSetup, details: Setup): Insertable<CallSetupsTable> {
  return {
    event_id: setup.eventId,
    organization_id: setup.organizationId,
    webhook_id: setup.webhookId,
    delivery_id: setup.deliveryId,
    deadline_ms: details.deadlineMs,
    started_at: details.startedAt,
    outcome: setup.outcome,
    action: setup.action,
    variables: JSON.stringify(setup.variables),
    reason: setup.reason,
    duration_ms: setup.durationMs,
  };
}
