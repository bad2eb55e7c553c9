import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { CircuitSettings } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import { newDeliveryId } from '../deliveries/fan-out/delivery-ids.ts';
import { buildMessage } from '../deliveries/pipeline/build-message.ts';
import { attemptRecord } from '../deliveries/pipeline/record/insert-attempts.ts';
import type { AttemptResult } from '../deliveries/pipeline/settlement.ts';
import type { RecentAttempts } from '../deliveries/recent-attempts.ts';
import type { DeliveryClient } from '../delivery-client/index.ts';
import { type Event, toEvent } from '../events/event.ts';
import type { Ingested } from '../events/event-ingest.ts';
import { validatePayload } from '../events/events.service.ts';
import { logCallSetup, logCircuitChanges } from '../logging/attempt-log.ts';
import { statusClass } from '../metrics/metrics.ts';
import type { Services } from '../services.ts';
import { ConflictError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { effectiveTimeoutMs, toWebhook, type Webhook } from '../webhooks/webhook.ts';
import type { CallSetup } from './call-setup.ts';
import { toCallSetup } from './call-setup.ts';
import { type Interpretation, interpretResponse } from './call-setup-answer.ts';
import { callSetupDeadlineMs, MAX_CALL_SETUP_DEADLINE_MS } from './call-setup-deadline.ts';
import { recordCallSetupTries } from './call-setup-record.ts';
import { sendTries } from './call-setup-tries.ts';
import * as callSetupsRepository from './call-setups.repository.ts';
import type { CallSetupRow } from './call-setups.table.ts';
import type { CallVariables } from './call-variables.ts';

/** The answer goes out this long before the deadline at the latest, whatever is in flight. */
export const ANSWER_MARGIN_MS = 5;
/** How often a repeat looks for the answer of the setup it repeats while that is in flight. */
const REPEAT_POLL_MS = 25;
/** A setup with no answer this long after its deadline was cut short (its process died). */
const INTERRUPTED_AFTER_MS = 5_000;

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
  services: Pick<Services, 'ingest' | 'fanOut' | 'notifier' | 'metrics'>;
  /** The lane's own client: its own connection pool, the same SSRF guard as the workers'. */
  client: DeliveryClient;
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
  const { db, services, settings, logger } = options;
  const recordings = new Set<Promise<void>>();

  const track = (recording: Promise<void>): Promise<void> => {
    const tracked = recording.catch((error: unknown) =>
      logger.error({ err: error }, 'could not record a call setup'),
    );
    recordings.add(tracked);
    void tracked.finally(() => recordings.delete(tracked));
    return tracked;
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
    parts: Pick<CallSetup, 'webhookId' | 'deliveryId'> & { fresh?: CallSetup['fresh'] },
  ): CallSetup => {
    const durationMs = Math.round(performance.now() - setup.began);
    services.metrics.callSetups.inc({ outcome: answer.outcome });
    services.metrics.callSetupDuration.observe({ outcome: answer.outcome }, durationMs / 1000);
    return {
      eventId: setup.event.id,
      organizationId: setup.organizationId,
      ...answer,
      durationMs,
      ...parts,
    };
  };

  const storedRow = (setup: Setup, webhookId: string | null, deliveryId: string | null) => ({
    event_id: setup.event.id,
    organization_id: setup.organizationId,
    webhook_id: webhookId,
    delivery_id: deliveryId,
    deadline_ms: setup.deadlineMs,
    started_at: setup.startedAt,
  });

  /** An answer given without asking anyone (no responder, disabled, open circuit). */
  const answerAtOnce = (setup: Setup, answer: Answer, webhookId: string | null): CallSetup => {
    const setupResult = finish(setup, answer, { webhookId, deliveryId: null });
    const recorded = track(
      callSetupsRepository
        .storeCallSetupAnswer(db, storedRow(setup, webhookId, null), columnsOf(setupResult))
        .then(() => logCallSetup(logger, setupResult, [])),
    );
    return {
      ...setupResult,
      fresh: { attempts: () => [], recorded, deadlineAt: setup.deadlineAt },
    };
  };

  /** Asks the responder, answers by the deadline, and records the tries once they are over. */
  const ask = async (setup: Setup, webhook: Webhook): Promise<CallSetup> => {
    const deliveryId = newDeliveryId(setup.event.id);
    const row = storedRow(setup, webhook.id, deliveryId);
    const marked = callSetupsRepository.insertCallSetupInFlight(db, row);
    marked.catch(() => {}); // awaited by the recording, which reports the failure
    const tries: { result: AttemptResult; record: DeliveryAttempt }[] = [];
    const sent = sendTries({
      client: options.client,
      webhook,
      deliveryId,
      body: buildMessage(toEvent(setup.event)),
      deadlineAt: setup.deadlineAt,
      deadlineUnixMs: Date.now() + (setup.deadlineAt - performance.now()),
      endpointTimeoutMs: effectiveTimeoutMs(webhook, settings.requestTimeoutMs),
      onResult: (result) => {
        const reading = interpretResponse(result.outcome);
        const target = {
          organizationId: setup.organizationId,
          deliveryId,
          webhookId: webhook.id,
          attemptNumber: tries.length + 1,
        };
        tries.push({ result, record: attemptRecord(target, result, refusal(reading)) });
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
    const setupResult = finish(setup, answer, { webhookId: webhook.id, deliveryId });
    const recorded = track(
      (async () => {
        await marked;
        await sent;
        await record(setup, webhook, deliveryId, tries, setupResult);
      })(),
    );
    return {
      ...setupResult,
      fresh: {
        attempts: () => tries.map((t) => t.record),
        recorded,
        deadlineAt: setup.deadlineAt,
      },
    };
  };

  const record = async (
    setup: Setup,
    webhook: Webhook,
    deliveryId: string,
    tries: readonly { result: AttemptResult; record: DeliveryAttempt }[],
    setupResult: CallSetup,
  ): Promise<void> => {
    const { notifier } = services;
    const circuits = await notifier.transaction(db, async (trx) => {
      let changes: Awaited<ReturnType<typeof recordCallSetupTries>>['circuits'] = [];
      if (tries.length > 0) {
        const recorded = await recordCallSetupTries(
          trx,
          {
            event: {
              id: setup.event.id,
              organizationId: setup.organizationId,
              agentId: setup.event.agent_id as string,
              callId: setup.event.call_id,
            },
            webhook,
            deliveryId,
            tries,
            answered: setupResult.outcome === 'ANSWERED',
          },
          {
            fanOut: services.fanOut,
            circuit: settings.circuit,
            disableAfterSeconds: settings.disableAfterSeconds,
            recentAttempts: options.recentAttempts,
          },
        );
        await notifier.publish(trx, recorded.notices);
        changes = recorded.circuits;
      }
      await callSetupsRepository.storeCallSetupAnswer(
        trx,
        storedRow(setup, webhook.id, tries.length > 0 ? deliveryId : null),
        columnsOf(setupResult),
      );
      return changes;
    });
    for (const { result } of tries) {
      const { outcome } = result;
      const kind = outcome.ok ? 'success' : 'failure';
      services.metrics.deliveryAttempts.inc({
        outcome: kind,
        status_class: statusClass(outcome.status),
      });
      services.metrics.deliveryAttemptDuration.observe(
        { outcome: kind },
        outcome.durationMs / 1000,
      );
    }
    logCallSetup(
      logger,
      setupResult,
      tries.map((t) => t.record),
    );
    if (circuits.length > 0) logCircuitChanges(logger, circuits);
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
    if (!responder.enabled)
      return answerAtOnce(setup, fallback(setup, 'webhook_disabled'), responder.id);
    if (responder.circuit.state !== 'CLOSED') {
      return answerAtOnce(setup, fallback(setup, 'circuit_open'), responder.id);
    }
    return ask(setup, responder);
  };

  /**
   * A repeat of an idempotency key: the first setup's answer, once stored. While the first is
   * in flight the repeat waits for it, within its own deadline; a first that was cut short (its
   * process died before answering) is answered with the fallback now, for good.
   */
  const repeat = async (setup: Setup): Promise<CallSetup> => {
    for (;;) {
      const row = await callSetupsRepository.findCallSetup(
        db,
        setup.organizationId,
        setup.event.id,
      );
      const stored = row && toCallSetup(row);
      if (stored) return stored;
      if (wasInterrupted(row, setup.event.created_at)) {
        const answer = fallback(setup, 'interrupted');
        const result = finish(setup, answer, {
          webhookId: row?.webhook_id ?? null,
          deliveryId: null,
        });
        const claimed = await callSetupsRepository.answerUnanswered(
          db,
          storedRow(setup, result.webhookId, null),
          columnsOf(result),
        );
        if (claimed) return result;
        continue;
      }
      if (performance.now() + REPEAT_POLL_MS > setup.deadlineAt - ANSWER_MARGIN_MS) {
        return finish(setup, fallback(setup, 'in_flight'), {
          webhookId: row?.webhook_id ?? null,
          deliveryId: null,
        });
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
        services.ingest({
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
      if (ingested.replayed && event.type !== 'PRE_CONVERSATION') {
        throw new ConflictError(
          `Idempotency key ${input.idempotencyKey} was used for a ${event.type} event, not a call setup`,
        );
      }
      if (ingested.replayed) return { event, setup: await repeat(setup) };
      services.metrics.eventsIngested.inc({ type: 'PRE_CONVERSATION' });
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

function columnsOf(setup: CallSetup): callSetupsRepository.CallSetupAnswerColumns {
  return {
    outcome: setup.outcome,
    action: setup.action,
    variables: setup.variables,
    reason: setup.reason,
    duration_ms: setup.durationMs,
  };
}

/** No answer stored, and none can still come: the first setup's process is gone. */
function wasInterrupted(row: CallSetupRow | undefined, eventCreatedAt: Date): boolean {
  const startedAt = row?.started_at ?? eventCreatedAt;
  const deadlineMs = row?.deadline_ms ?? MAX_CALL_SETUP_DEADLINE_MS;
  return startedAt.getTime() + deadlineMs + INTERRUPTED_AFTER_MS < Date.now();
}
