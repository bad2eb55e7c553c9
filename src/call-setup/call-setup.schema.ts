import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryAttemptRef } from '../deliveries/deliveries.refs.ts';
import { listAttemptsOfDeliveries } from '../deliveries/deliveries.service.ts';
import type { DeliveryAttempt } from '../deliveries/delivery-attempt.ts';
import { EventRef } from '../events/events.refs.ts';
import { BATCH_ONLY, builder } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { idempotencyKeySchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { WebhookRef } from '../webhooks/webhooks.refs.ts';
import { loadWebhooksOfLog } from '../webhooks/webhooks.schema.ts';
import { ANSWER_MARGIN_MS, type CallSetupLane } from './call-setup.service.ts';
import type { CallSetup } from './call-setup.ts';
import { CALL_SETUP_ANSWER_JSON_SCHEMA } from './call-setup-answer.ts';
import { MAX_CALL_SETUP_DEADLINE_MS, MIN_CALL_SETUP_DEADLINE_MS } from './call-setup-deadline.ts';

const CallSetupOutcomeEnum = builder.enumType('CallSetupOutcome', {
  values: {
    ANSWERED: { description: 'The responder answered in time, with a valid answer.' },
    FALLBACK: {
      description:
        "The responder did not answer usably (see reason): the agent's callSetupFallback applies.",
    },
    NO_RESPONDER: {
      description: "The agent has no call-setup responder: the agent's callSetupFallback applies.",
    },
  } as const,
});

const CallActionEnum = builder.enumType('CallAction', {
  values: {
    CONTINUE: { description: 'Let the call proceed (also what every fallback says).' },
    REJECT: { description: 'The responder asks the platform to refuse the call.' },
  } as const,
});

const CallSetupRef = builder.objectRef<CallSetup>('CallSetup');
builder.objectType(CallSetupRef, {
  description: "How a call is to be set up: the responder's answer, or the agent's fallback.",
  fields: (t) => ({
    outcome: t.field({ type: CallSetupOutcomeEnum, resolve: (setup) => setup.outcome }),
    action: t.field({ type: CallActionEnum, resolve: (setup) => setup.action }),
    variables: t.field({
      type: 'JSON',
      description: 'Variables for the call: names to strings, numbers or booleans.',
      resolve: (setup) => setup.variables,
    }),
    reason: t.exposeString('reason', {
      nullable: true,
      description:
        'Why the fallback applies: timeout, http_status_<code>, invalid_json, invalid_answer, answer_too_large, blocked_address, connection_refused, circuit_open, webhook_disabled, in_flight, interrupted, ... Null when ANSWERED or NO_RESPONDER.',
    }),
    durationMs: t.exposeInt('durationMs', {
      description: 'From the request to the answer, in Hookline.',
    }),
    webhook: t.loadable({
      type: WebhookRef,
      nullable: true,
      description: 'The responder asked, if the agent has one.',
      ...BATCH_ONLY,
      load: loadWebhooksOfLog,
      resolve: (setup) => setup.webhookId,
    }),
    attempts: t.field({
      type: [DeliveryAttemptRef],
      description:
        'Every try, oldest first, as the attempt log has them (a delivery of kind CALL_SETUP). Selecting them may add the few milliseconds their recording takes, never past the deadline.',
      resolve: (setup, _args, ctx) => attemptsOf(setup, ctx),
    }),
  }),
});

async function attemptsOf(setup: CallSetup, ctx: GraphQLContext): Promise<DeliveryAttempt[]> {
  if (setup.fresh) {
    const left = setup.fresh.deadlineAt - ANSWER_MARGIN_MS - performance.now();
    await Promise.race([setup.fresh.recorded, sleep(Math.max(0, left))]);
    return setup.fresh.attempts();
  }
  if (!setup.deliveryId) return [];
  return listAttemptsOfDeliveries(ctx.db, organizationOf(ctx), [setup.deliveryId]);
}

const RequestCallSetupInput = builder.inputType('RequestCallSetupInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    payload: t.field({
      type: 'JSON',
      required: true,
      description:
        'The pre-conversation payload: must meet its JSON Schema (see eventTypes); at most 256 KiB.',
    }),
    deadlineMs: t.int({
      description: `How long the answer may take, ${MIN_CALL_SETUP_DEADLINE_MS} to ${MAX_CALL_SETUP_DEADLINE_MS} ms. Null: HOOKLINE_CALL_SETUP_DEADLINE_MS (5,000 by default).`,
    }),
    idempotencyKey: t.string({
      validate: idempotencyKeySchema,
      description:
        'The same key within the organization returns the first answer (and its event) and asks nobody again.',
    }),
  }),
});

const RequestCallSetupPayload = builder.simpleObject('RequestCallSetupPayload', {
  fields: (t) => ({
    event: t.field({ type: EventRef }),
    setup: t.field({ type: CallSetupRef }),
  }),
});

builder.mutationField('requestCallSetup', (t) =>
  t.field({
    type: RequestCallSetupPayload,
    description: withExpectedErrors(
      "A call is about to start: stores its pre-conversation event (delivered to the agent's subscribers as emitEvent does), asks the agent's call-setup responder how to set the call up, and answers by the deadline whatever the responder does: its answer, or the agent's callSetupFallback.",
      {
        BAD_USER_INPUT:
          'the payload does not meet the pre-conversation JSON Schema (extensions.field names the path), or deadlineMs is out of range',
        NOT_FOUND: "the agent does not exist, or is another organization's",
        CONFLICT: 'the idempotency key was used before for another agent, type or payload',
      },
    ),
    authScopes: { emit: true },
    args: { input: t.arg({ type: RequestCallSetupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      laneOf(ctx).request(organizationOf(ctx), {
        agentId: input.agentId,
        payload: input.payload,
        deadlineMs: input.deadlineMs,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
);

builder.queryField('callSetupAnswerSchema', (t) =>
  t.field({
    type: 'JSON',
    description:
      'JSON Schema of the body a call-setup responder answers with (a 2xx; an empty body means continue, no variables). Needs no key.',
    resolve: () => CALL_SETUP_ANSWER_JSON_SCHEMA,
  }),
);

function laneOf(ctx: GraphQLContext): CallSetupLane {
  const lane = ctx.runtime.callSetups;
  // Every process that serves the API builds one (app.ts).
  if (!lane) throw new Error('this process has no call-setup lane');
  return lane;
}
