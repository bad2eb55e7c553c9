import { resolveCursorConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import { BATCH_ONLY, builder } from '../graphql/builder.ts';
import { withExpectedErrors } from '../graphql/errors.ts';
import { nameSchema } from '../graphql/validators.ts';
import { organizationOf } from '../graphql/viewer.ts';
import { PAGE_SIZE } from '../shared/pagination.ts';
import { listSubscriptionsOf } from '../webhooks/subscriptions.service.ts';
import { WebhookSubscriptionRef } from '../webhooks/webhooks.refs.ts';
import type { Agent } from './agent.ts';
import { AgentRef } from './agents.refs.ts';
import {
  createAgent,
  deleteAgent,
  getAgent,
  getAgentsByIds,
  listAgents,
  updateAgent,
} from './agents.service.ts';
import { type CallVariables, fallbackProblem, MAX_CALL_VARIABLES_BYTES } from './call-variables.ts';

builder.node(AgentRef, {
  description: 'A voice agent: it takes and makes calls, and its events go to webhooks.',
  id: { resolve: (agent) => agent.id },
  loadMany: (ids, ctx) => getAgentsByIds(ctx.db, organizationOf(ctx), ids),
  authScopes: { organization: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    callSetupFallback: t.field({
      type: 'JSON',
      description:
        "What a call setup answers when the agent's responder does not (timeout, error, invalid answer, open circuit) or when it has none: variables, an object of names to strings, numbers or booleans. {} unless set.",
      resolve: (agent) => agent.callSetupFallback,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    subscriptions: t.loadableGroup({
      type: WebhookSubscriptionRef,
      description: 'The webhooks this agent sends events to, and which events.',
      ...BATCH_ONLY,
      load: (agentIds: string[], ctx) =>
        listSubscriptionsOf(ctx.db, organizationOf(ctx), { agentIds }),
      group: (subscription) => subscription.agentId,
      resolve: (agent) => agent.id,
    }),
  }),
});

builder.queryFields((t) => ({
  agents: t.connection({
    type: AgentRef,
    authScopes: { read: true },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection<Promise<Agent[]>>(
        { args, toCursor: (agent: Agent) => agent.id, ...PAGE_SIZE },
        (page) => listAgents(ctx.db, organizationOf(ctx), page),
      ),
  }),
  agent: t.field({
    type: AgentRef,
    nullable: true,
    authScopes: { read: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      (await getAgent(ctx.db, organizationOf(ctx), args.id)) ?? null,
  }),
}));

/** Null is the default ({}), so only a given value is checked. */
const fallbackInput = z.unknown().superRefine((value, ctx) => {
  const problem = value === null || value === undefined ? null : fallbackProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const FALLBACK_INPUT = `Variables a call setup answers when the responder does not: an object of names to strings, numbers or booleans, at most ${MAX_CALL_VARIABLES_BYTES / 1024} KiB. Null: {}.`;

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  fields: (t) => ({
    name: t.string({ required: true, validate: nameSchema }),
    callSetupFallback: t.field({
      type: 'JSON',
      validate: fallbackInput,
      description: FALLBACK_INPUT,
    }),
  }),
});
const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  description: 'Fields left out (or a null name) keep their value; a null callSetupFallback is {}.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ validate: nameSchema }),
    callSetupFallback: t.field({
      type: 'JSON',
      validate: fallbackInput,
      description: FALLBACK_INPUT,
    }),
  }),
});
const DeleteAgentInput = builder.inputType('DeleteAgentInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const CreateAgentPayload = builder.simpleObject('CreateAgentPayload', {
  fields: (t) => ({ agent: t.field({ type: AgentRef }) }),
});
const UpdateAgentPayload = builder.simpleObject('UpdateAgentPayload', {
  fields: (t) => ({ agent: t.field({ type: AgentRef }) }),
});
const DeleteAgentPayload = builder.simpleObject('DeleteAgentPayload', {
  fields: (t) => ({ deletedAgentId: t.id() }),
});

builder.mutationFields((t) => ({
  createAgent: t.field({
    description: withExpectedErrors('Creates an agent.', {
      BAD_USER_INPUT: 'a field is invalid (extensions.field names it)',
    }),
    type: CreateAgentPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: CreateAgentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      agent: await createAgent(ctx.db, organizationOf(ctx), {
        name: input.name,
        callSetupFallback: input.callSetupFallback as CallVariables | null | undefined,
      }),
    }),
  }),
  updateAgent: t.field({
    description: withExpectedErrors('Renames an agent, or changes its call-setup fallback.', {
      BAD_USER_INPUT: 'a field is invalid (extensions.field names it)',
      NOT_FOUND: "the agent does not exist, or is another organization's",
    }),
    type: UpdateAgentPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: UpdateAgentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      agent: await updateAgent(ctx.db, organizationOf(ctx), input.id, {
        name: input.name ?? undefined,
        callSetupFallback: input.callSetupFallback as CallVariables | null | undefined,
      }),
    }),
  }),
  deleteAgent: t.field({
    description: withExpectedErrors(
      'Deletes an agent and its subscriptions; its past events stay, without an agent.',
      { NOT_FOUND: "the agent does not exist, or is another organization's" },
    ),
    type: DeleteAgentPayload,
    authScopes: { manage: true },
    args: { input: t.arg({ type: DeleteAgentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await deleteAgent(ctx.db, organizationOf(ctx), input.id);
      return { deletedAgentId: input.id };
    },
  }),
}));
