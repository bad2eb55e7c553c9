import { z } from 'zod';
import { defineEventType } from './define-event-type.ts';

/**
 * Operational events: Hookline tells an organization's operational endpoint
 * (setOperationalWebhook) that one of its endpoints is in trouble or has recovered. They are in
 * the catalog like the platform's events, with their JSON Schemas, but only Hookline raises
 * them (emitEvent and attachWebhook refuse them), and they go to the operational endpoint only,
 * through the same durable delivery path as every other event (docs/delivering.md, Operational
 * webhooks). Times are ISO 8601 in UTC.
 */
const time = z.iso.datetime().describe('ISO 8601, UTC');

const webhook = z
  .strictObject({
    id: z.string().describe('The webhook (whk_...)'),
    url: z.string().describe('Where it sends'),
    description: z.string(),
  })
  .describe('The endpoint this is about');

const EXAMPLE_WEBHOOK = {
  id: 'whk_01M8M7GWCBKMAZ4VWQDE64XE5E',
  url: 'https://crm.example.com/hookline',
  description: 'CRM',
};

export const OPERATIONAL_DEFINITIONS = [
  defineEventType({
    name: 'ENDPOINT_DISABLED',
    wireName: 'endpoint.disabled',
    description:
      'An endpoint was disabled: by Hookline after it failed for too long (trigger automatic), or by its organization (trigger manual). It gets no new deliveries until enabled again.',
    operational: true,
    schema: z.strictObject({
      webhook,
      trigger: z
        .enum(['automatic', 'manual'])
        .describe(
          'automatic: every attempt failed for HOOKLINE_DISABLE_AFTER_SECONDS; manual: toggleWebhook',
        ),
      reason: z.string().describe('Why, in words'),
      failingSince: time.nullable().describe('Start of the unbroken run of failed attempts'),
      disabledAt: time,
    }),
    example: {
      webhook: EXAMPLE_WEBHOOK,
      trigger: 'automatic',
      reason:
        'Disabled automatically: every delivery attempt failed since 2026-11-25T08:00:00.000Z (120 h)',
      failingSince: '2026-11-25T08:00:00.000Z',
      disabledAt: '2026-11-30T08:00:04.518Z',
    },
  }),
  defineEventType({
    name: 'ENDPOINT_CIRCUIT_OPENED',
    wireName: 'endpoint.circuit_opened',
    description:
      "An endpoint's circuit opened after failed attempts in a row: its deliveries are held, without spending their retries, until a probe succeeds.",
    operational: true,
    schema: z.strictObject({
      webhook,
      reason: z.string().describe('Why, in words: the failures and the last error'),
      consecutiveFailures: z.number().int().describe('Failed attempts in a row'),
      lastError: z.string().nullable().describe('The last failed attempt’s error, e.g. HTTP 503'),
      openedAt: time,
      nextProbeAt: time.describe('When one held delivery goes out as a probe'),
    }),
    example: {
      webhook: EXAMPLE_WEBHOOK,
      reason: '5 attempts failed in a row (the last: HTTP 503)',
      consecutiveFailures: 5,
      lastError: 'HTTP 503',
      openedAt: '2026-11-30T08:00:04.518Z',
      nextProbeAt: '2026-11-30T08:00:09.518Z',
    },
  }),
  defineEventType({
    name: 'ENDPOINT_CIRCUIT_CLOSED',
    wireName: 'endpoint.circuit_closed',
    description:
      "An endpoint's circuit closed: an attempt or a probe succeeded (held deliveries go out again), or its probe time came with nothing held.",
    operational: true,
    schema: z.strictObject({
      webhook,
      reason: z
        .enum(['attempt_succeeded', 'nothing_held'])
        .describe(
          'attempt_succeeded: a delivery (a probe, usually) got a 2xx; nothing_held: the probe time came with nothing to probe with (closed on probation: one more failure opens it again)',
        ),
      openedAt: time.nullable().describe('When it had opened'),
      closedAt: time,
    }),
    example: {
      webhook: EXAMPLE_WEBHOOK,
      reason: 'attempt_succeeded',
      openedAt: '2026-11-30T08:00:04.518Z',
      closedAt: '2026-11-30T08:00:09.730Z',
    },
  }),
  defineEventType({
    name: 'DELIVERY_EXHAUSTED',
    wireName: 'delivery.exhausted',
    description:
      'A delivery used up its retry schedule and ended FAILED: the receiver never got it. redeliver or replayFailedDeliveries start it again.',
    operational: true,
    schema: z.strictObject({
      webhook,
      delivery: z.strictObject({
        id: z.string().describe('The delivery (dlv_...): its webhook-id header'),
        eventId: z.string(),
        eventType: z.string().describe('The event’s wire name'),
        attempts: z.number().int().describe('Attempts made, probes included'),
      }),
      reason: z.string().describe('The last attempt’s error, e.g. HTTP 500 or timeout: ...'),
      lastAttemptAt: time,
      exhaustedAt: time,
    }),
    example: {
      webhook: EXAMPLE_WEBHOOK,
      delivery: {
        id: 'dlv_01M8M7GWX0JP8796V1GS8HC8MH',
        eventId: 'evt_01M8M7GWX0JP8796V1GS8HC8MH',
        eventType: 'analytics-completed',
        attempts: 8,
      },
      reason: 'HTTP 500',
      lastAttemptAt: '2026-12-01T12:03:55.102Z',
      exhaustedAt: '2026-12-01T12:03:55.160Z',
    },
  }),
] as const;

export type OperationalEventTypeName = (typeof OPERATIONAL_DEFINITIONS)[number]['name'];

/** A webhook as operational events name it. */
export interface OperationalWebhookRef {
  id: string;
  url: string;
  description: string;
}
