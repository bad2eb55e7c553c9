import { z } from 'zod';
import { defineEventType } from './define-event-type.ts';
import { OPERATIONAL_DEFINITIONS } from './operational-event-types.ts';

/**
 * The catalog of event types Hookline can deliver.
 *
 * To add an event type, append one `defineEventType({...})` entry to `DEFINITIONS` below.
 * Its name joins `EventTypeName`, and its schema, JSON Schema, example and wire-name lookup
 * come with it. The example is checked against the schema by the compiler (via `z.input`)
 * and again at runtime by the tests.
 */

// E.164: "+", then 2 to 15 digits, the first of which is not 0. (zod's `z.e164()` demands at
// least 7 digits and allows a leading 0, which is not what we document.)
const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

const callId = z
  .string()
  .min(1)
  .max(200)
  .describe(
    "Identifier of the call on the platform: the same in a call's pre-conversation, post-conversation and analytics-completed events",
  );
const phoneNumber = z
  .string()
  .regex(E164_PATTERN, { error: 'Must be an E.164 phone number, e.g. +14155550123' });
const jsonRecord = z.record(z.string(), z.json());
const transcript = z
  .array(
    z.object({
      role: z.enum(['agent', 'user']),
      text: z.string(),
      startSeconds: z.number().nonnegative().optional(),
    }),
  )
  .describe('Turns of the conversation, in order');
const durationSeconds = z.number().nonnegative().describe('Length of the call in seconds');
const exampleTranscript = [
  {
    role: 'agent' as const,
    text: 'Hi, this is Ava from Northwind. How can I help?',
    startSeconds: 0,
  },
  {
    role: 'user' as const,
    text: 'I would like to move my appointment to Friday.',
    startSeconds: 3.8,
  },
];

const DEFINITIONS = [
  defineEventType({
    name: 'PRE_CONVERSATION',
    wireName: 'pre-conversation',
    description: 'A call is about to start.',
    schema: z.strictObject({
      callId,
      callerPhoneNumber: phoneNumber.describe('Phone number of the caller, E.164'),
      direction: z
        .enum(['inbound', 'outbound'])
        .describe('Whether the agent receives or places the call'),
      calledPhoneNumber: phoneNumber.describe('Phone number that was called, E.164').optional(),
      metadata: jsonRecord.describe('Free-form data passed through from the platform').optional(),
    }),
    example: {
      callId: 'call_8f3a2c91d4e7',
      callerPhoneNumber: '+14155550123',
      direction: 'inbound',
      calledPhoneNumber: '+442071838750',
      metadata: { campaign: 'spring-renewals', crmContactId: 'c_20931' },
    },
  }),
  defineEventType({
    name: 'POST_CONVERSATION',
    wireName: 'post-conversation',
    description: 'A call has ended.',
    schema: z.strictObject({
      callId,
      durationSeconds,
      endedReason: z
        .string()
        .min(1)
        .max(200)
        .describe(
          'Why the call ended. Common values: caller_hung_up, agent_ended, transferred, error; platforms may send others',
        ),
      transcript,
      recordingUrl: z
        .url({ protocol: /^https?$/, error: 'Must be an absolute http(s) URL' })
        .max(2048)
        .describe('Where the recording can be fetched, an absolute http(s) URL')
        .optional(),
      variables: jsonRecord.describe('Variables collected during the call').optional(),
      metadata: jsonRecord.describe('Free-form data passed through from the platform').optional(),
    }),
    example: {
      callId: 'call_8f3a2c91d4e7',
      durationSeconds: 184.6,
      endedReason: 'caller_hung_up',
      transcript: exampleTranscript,
      recordingUrl: 'https://recordings.example.com/call_8f3a2c91d4e7.wav',
      variables: { appointmentDay: 'Friday', rescheduled: true },
      metadata: { campaign: 'spring-renewals', crmContactId: 'c_20931' },
    },
  }),
  defineEventType({
    name: 'ANALYTICS_COMPLETED',
    wireName: 'analytics-completed',
    description: 'Post-call analytics are ready.',
    schema: z.strictObject({
      callId,
      durationSeconds,
      transcript,
      metrics: jsonRecord.describe('Computed call metrics'),
      variables: jsonRecord.describe('Variables collected during the call'),
    }),
    example: {
      callId: 'call_8f3a2c91d4e7',
      durationSeconds: 184.6,
      transcript: exampleTranscript,
      metrics: { sentiment: 'positive', talkRatio: 0.42 },
      variables: { appointmentDay: 'Friday', rescheduled: true },
    },
  }),
] as const;

export type EventTypeName =
  | (typeof DEFINITIONS)[number]['name']
  | (typeof OPERATIONAL_DEFINITIONS)[number]['name'];

export interface EventTypeDefinition {
  name: EventTypeName;
  /** The name used on the wire (the `type` of a delivered message). */
  wireName: string;
  description: string;
  schema: z.ZodType;
  example: Record<string, unknown>;
  /** Raised by Hookline for the operational endpoint; never emitted or subscribed to. */
  operational?: true;
}

/** The platform's events, then Hookline's operational ones. */
export const EVENT_TYPES: readonly EventTypeDefinition[] = [
  ...DEFINITIONS,
  ...OPERATIONAL_DEFINITIONS,
];

export const EVENT_TYPE_NAMES: readonly EventTypeName[] = EVENT_TYPES.map((type) => type.name);

const byName = new Map(EVENT_TYPES.map((type) => [type.name, type]));
const byWireName = new Map(EVENT_TYPES.map((type) => [type.wireName, type]));

export function getEventType(name: EventTypeName): EventTypeDefinition {
  const definition = byName.get(name);
  // Only reachable when an unchecked string is passed in.
  if (definition === undefined) throw new Error(`Unknown event type: ${String(name)}`);
  return definition;
}

/** Hookline raises it; emitting it, subscribing a webhook to it, are refused. */
export function isOperationalEventType(name: EventTypeName): boolean {
  return getEventType(name).operational === true;
}

export function eventTypeFromWireName(wire: string): EventTypeDefinition | undefined {
  return byWireName.get(wire);
}

const jsonSchemaCache = new Map<EventTypeName, Record<string, unknown>>();

/**
 * The JSON Schema (draft 2020-12) of an event type's payload, as a sender must write it.
 * Computed once per type; the returned object is frozen because it is shared.
 */
export function payloadJsonSchema(name: EventTypeName): Record<string, unknown> {
  let schema = jsonSchemaCache.get(name);
  if (schema === undefined) {
    schema = deepFreeze(z.toJSONSchema(getEventType(name).schema, { io: 'input' }));
    jsonSchemaCache.set(name, schema);
  }
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** One problem with a payload. `path` is like `transcript[0].role`; `""` is the payload itself. */
export type PayloadIssue = { path: string; message: string };

export type PayloadValidation =
  | { ok: true; data: Record<string, unknown> }
  | { ok: false; issues: PayloadIssue[] };

export function validateEventPayload(name: EventTypeName, payload: unknown): PayloadValidation {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return {
      ok: false,
      issues: [
        { path: '', message: `Payload must be a JSON object, received ${describeValue(payload)}` },
      ],
    };
  }
  const result = getEventType(name).schema.safeParse(payload, {
    // zod's default for a missing key reads "expected string, received undefined".
    error: (issue) => (issue.input === undefined ? 'Required' : undefined),
  });
  if (result.success) return { ok: true, data: result.data as Record<string, unknown> };
  return { ok: false, issues: result.error.issues.flatMap(toPayloadIssues) };
}

function toPayloadIssues(issue: z.core.$ZodIssue): PayloadIssue[] {
  // zod reports all unknown keys of an object as one issue on the object; we report each key
  // at its own path so that a typo points at the misspelt field.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: 'Unknown field',
    }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Largest payload accepted, measured by `payloadByteLength`. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** UTF-8 length of `JSON.stringify(payload)`; 0 for values JSON cannot represent (undefined). */
export function payloadByteLength(payload: unknown): number {
  const json = JSON.stringify(payload);
  return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
}
