import { resolveCursorConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import { AgentRef } from '../agents/agents.refs.ts';
import { getAgentsByIds } from '../agents/agents.service.ts';
import { EventTypeEnum } from '../event-types/event-types.schema.ts';
import { BATCH_ONLY, builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { idempotencyKeySchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { PAGE_SIZE } from '../shared/pagination.ts';
import type { Event } from './event.ts';
import { EventRef } from './events.refs.ts';
import { emitEvent, getEvent, getEventsByIds, listEvents, purgeCall } from './events.service.ts';

builder.node(EventRef, {
  description:
    'Something that happened to an agent, stored once and delivered to each subscribed webhook.',
  id: { resolve: (event) => event.id },
  loadMany: (ids, ctx) => getEventsByIds(ctx.db, organizationOf(ctx), ids),
  authScopes: { organization: true },
  fields: (t) => ({
    type: t.field({ type: EventTypeEnum, resolve: (event) => event.type }),
    agent: t.loadable({
      type: AgentRef,
      nullable: true,
      description: 'Null for test events, and once the agent is deleted.',
      ...BATCH_ONLY,
      load: (ids: string[], ctx) => getAgentsByIds(ctx.db, organizationOf(ctx), ids),
      resolve: (event) => event.agentId,
    }),
    payload: t.field({ type: 'JSON', resolve: (event) => event.payload }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  events: t.connection({
    type: EventRef,
    authScopes: { read: true },
    args: { agentId: t.arg.id(), type: t.arg({ type: EventTypeEnum }) },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Event[]>>(
        { args, toCursor: (event: Event) => event.id, ...PAGE_SIZE },
        (page) =>
          listEvents(ctx.db, organizationOf(ctx), { agentId: args.agentId, type: args.type }, page),
      ),
  }),
  event: t.field({
    type: EventRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await getEvent(ctx.db, organizationOf(ctx), args.id)) ?? null,
  }),
}));

const EmitEventInput = builder.inputType('EmitEventInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    type: t.field({ type: EventTypeEnum, required: true }),
    payload: t.field({
      type: 'JSON',
      required: true,
      description: 'Must meet the JSON Schema of the type (see eventTypes); at most 256 KiB.',
    }),
    idempotencyKey: t.string({
      validate: idempotencyKeySchema,
      description:
        'Sending the same request again with the same key (within the organization) returns the first event and sends nothing again; a different agent, type or payload with a key already used gets CONFLICT, with `extensions.eventId` naming the first event.',
    }),
  }),
});

const EmitEventPayload = builder.simpleObject('EmitEventPayload', {
  fields: (t) => ({ event: t.field({ type: EventRef }) }),
});

builder.mutationField('emitEvent', (t) =>
  t.field({
    type: EmitEventPayload,
    description: withExpectedErrors(
      'Stores an event and queues one delivery per subscribed, enabled webhook, in one transaction. Once this returns, every delivery is attempted until it succeeds or its schedule runs out.',
      {
        BAD_USER_INPUT:
          "the payload does not meet its type's JSON Schema (extensions.field names the path), is over 256 KiB, or holds text PostgreSQL cannot store",
        NOT_FOUND: "the agent does not exist, or is another organization's",
        CONFLICT: 'the idempotency key was used before for another agent, type or payload',
      },
    ),
    authScopes: { emit: true },
    args: { input: t.arg({ type: EmitEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { event } = await emitEvent(
        ctx.runtime,
        organizationOf(ctx),
        {
          agentId: input.agentId,
          type: input.type,
          payload: input.payload,
          idempotencyKey: input.idempotencyKey,
        },
        ctx.traceContext,
      );
      return { event };
    },
  }),
);

const PurgeCallInput = builder.inputType('PurgeCallInput', {
  fields: (t) => ({
    callId: t.string({
      required: true,
      validate: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
      description: 'The callId of the payloads of the call to erase.',
    }),
  }),
});

const PurgeCallPayload = builder.simpleObject('PurgeCallPayload', {
  fields: (t) => ({ events: t.int({ description: 'How many events of the call were deleted.' }) }),
});

builder.mutationField('purgeCall', (t) =>
  t.field({
    type: PurgeCallPayload,
    description: withExpectedErrors(
      "Erases a call: deletes this organization's events with that callId, with their deliveries (pending ones are cancelled), every attempt (response bodies included) and the call setup. Calls of other organizations, and other calls, are untouched. Run it once the call is over: an event of the call stored after it is not erased.",
      { BAD_USER_INPUT: 'callId is empty or over 200 characters' },
    ),
    authScopes: { manage: true },
    args: { input: t.arg({ type: PurgeCallInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      events: await purgeCall(ctx.runtime, organizationOf(ctx), input.callId),
    }),
  }),
);
