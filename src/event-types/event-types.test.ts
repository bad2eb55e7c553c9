import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EVENT_TYPE_NAMES,
  EVENT_TYPES,
  type EventTypeName,
  eventTypeFromWireName,
  getEventType,
  MAX_PAYLOAD_BYTES,
  type PayloadIssue,
  payloadByteLength,
  payloadJsonSchema,
  validateEventPayload,
} from './event-types.ts';

function issuesOf(name: EventTypeName, payload: unknown): PayloadIssue[] {
  const result = validateEventPayload(name, payload);
  assert.equal(result.ok, false, 'expected the payload to be refused');
  return result.ok ? [] : result.issues;
}

function pathsOf(name: EventTypeName, payload: unknown): string[] {
  return issuesOf(name, payload).map((issue) => issue.path);
}

const preConversation = () => ({ ...getEventType('PRE_CONVERSATION').example });
const analyticsCompleted = () => structuredClone(getEventType('ANALYTICS_COMPLETED').example);

describe('catalog', () => {
  test('lists every event type once, with unique wire names', () => {
    assert.deepEqual(EVENT_TYPE_NAMES, [
      'PRE_CONVERSATION',
      'POST_CONVERSATION',
      'ANALYTICS_COMPLETED',
      'ENDPOINT_DISABLED',
      'ENDPOINT_CIRCUIT_OPENED',
      'ENDPOINT_CIRCUIT_CLOSED',
      'DELIVERY_EXHAUSTED',
    ]);
    assert.equal(new Set(EVENT_TYPES.map((type) => type.wireName)).size, EVENT_TYPES.length);
  });

  for (const type of EVENT_TYPES) {
    test(`${type.name}: example validates and round-trips unchanged`, () => {
      const result = validateEventPayload(type.name, type.example);
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.data, type.example);
    });

    test(`${type.name}: wire name lookup goes both ways`, () => {
      assert.equal(eventTypeFromWireName(type.wireName), type);
      assert.equal(getEventType(type.name).wireName, type.wireName);
    });

    test(`${type.name}: JSON schema is a strict object with ${type.operational ? 'webhook' : 'callId'}`, () => {
      const schema = payloadJsonSchema(type.name);
      assert.equal(schema.type, 'object');
      assert.equal(schema.additionalProperties, false);
      const properties = schema.properties as Record<string, Record<string, unknown>>;
      // A call's events name the call; operational events name the endpoint.
      if (type.operational) assert.equal(properties.webhook?.type, 'object');
      else assert.equal(properties.callId?.type, 'string');
      assert.equal(payloadJsonSchema(type.name), schema, 'cached');
      assert.ok(Object.isFrozen(schema));
    });
  }

  test('wire names map to the expected event types', () => {
    assert.equal(eventTypeFromWireName('pre-conversation')?.name, 'PRE_CONVERSATION');
    assert.equal(eventTypeFromWireName('post-conversation')?.name, 'POST_CONVERSATION');
    assert.equal(eventTypeFromWireName('analytics-completed')?.name, 'ANALYTICS_COMPLETED');
    assert.equal(eventTypeFromWireName('PRE_CONVERSATION'), undefined);
    assert.equal(eventTypeFromWireName('nope'), undefined);
  });

  test('getEventType refuses an unchecked unknown name', () => {
    assert.throws(() => getEventType('NOPE' as EventTypeName), /Unknown event type: NOPE/);
  });
});

describe('PRE_CONVERSATION payloads', () => {
  test('bad E.164 numbers are refused at their field', () => {
    for (const bad of ['4155550123', '+0123456', '+1', '+1234567890123456', '+1 415 555 0123']) {
      const issues = issuesOf('PRE_CONVERSATION', { ...preConversation(), callerPhoneNumber: bad });
      assert.deepEqual(
        issues.map((issue) => issue.path),
        ['callerPhoneNumber'],
        bad,
      );
      assert.match(issues[0]!.message, /E\.164/);
    }
    assert.deepEqual(
      pathsOf('PRE_CONVERSATION', { ...preConversation(), calledPhoneNumber: 'x' }),
      ['calledPhoneNumber'],
    );
  });

  test('the shortest and longest E.164 numbers are accepted', () => {
    for (const good of ['+12', '+123456789012345']) {
      const result = validateEventPayload('PRE_CONVERSATION', {
        ...preConversation(),
        callerPhoneNumber: good,
      });
      assert.ok(result.ok, good);
    }
  });

  test('missing callId is reported as required', () => {
    const { callId: _, ...payload } = preConversation();
    assert.deepEqual(issuesOf('PRE_CONVERSATION', payload), [
      { path: 'callId', message: 'Required' },
    ]);
  });

  test('empty and overlong callIds are refused', () => {
    assert.deepEqual(pathsOf('PRE_CONVERSATION', { ...preConversation(), callId: '' }), ['callId']);
    assert.deepEqual(
      pathsOf('PRE_CONVERSATION', { ...preConversation(), callId: 'c'.repeat(201) }),
      ['callId'],
    );
  });

  test('wrong direction names the allowed values', () => {
    const issues = issuesOf('PRE_CONVERSATION', { ...preConversation(), direction: 'sideways' });
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['direction'],
    );
    assert.match(issues[0]!.message, /inbound/);
  });

  test('unknown top-level keys are refused, one issue per key', () => {
    const issues = issuesOf('PRE_CONVERSATION', {
      ...preConversation(),
      callerPhoneNumbr: '+14155550123',
      'odd key': 1,
    });
    assert.deepEqual(issues, [
      { path: 'callerPhoneNumbr', message: 'Unknown field' },
      { path: '["odd key"]', message: 'Unknown field' },
    ]);
  });

  test('metadata accepts arbitrary JSON but not non-JSON values', () => {
    const nested = { tags: ['a', 1, null, { deep: true }], score: 0.5 };
    assert.ok(
      validateEventPayload('PRE_CONVERSATION', { ...preConversation(), metadata: nested }).ok,
    );
    assert.deepEqual(
      pathsOf('PRE_CONVERSATION', { ...preConversation(), metadata: { when: new Date(0) } }),
      ['metadata.when'],
    );
  });

  test('non-object roots are refused with a root issue', () => {
    for (const payload of [null, undefined, 'hello', 42, [], [preConversation()]]) {
      const issues = issuesOf('PRE_CONVERSATION', payload);
      assert.equal(issues.length, 1);
      assert.equal(issues[0]!.path, '');
      assert.match(issues[0]!.message, /must be a JSON object/);
    }
  });
});

describe('POST_CONVERSATION payloads', () => {
  const postConversation = () => structuredClone(getEventType('POST_CONVERSATION').example);

  test('recordingUrl, variables and metadata may be left out', () => {
    const { recordingUrl: _, variables: __, metadata: ___, ...required } = postConversation();
    assert.ok(validateEventPayload('POST_CONVERSATION', required).ok);
  });

  test('recordingUrl must be an absolute http(s) URL', () => {
    for (const bad of ['/recordings/1.wav', 'ftp://example.com/1.wav', 'javascript:alert(1)']) {
      assert.deepEqual(
        pathsOf('POST_CONVERSATION', { ...postConversation(), recordingUrl: bad }),
        ['recordingUrl'],
        bad,
      );
    }
  });

  test('endedReason is an open set of strings, but not an empty one', () => {
    assert.ok(
      validateEventPayload('POST_CONVERSATION', {
        ...postConversation(),
        endedReason: 'voicemail_detected',
      }).ok,
    );
    assert.deepEqual(pathsOf('POST_CONVERSATION', { ...postConversation(), endedReason: '' }), [
      'endedReason',
    ]);
  });

  test('the transcript has the shape of analytics-completed', () => {
    const schema = (name: EventTypeName) =>
      (payloadJsonSchema(name).properties as Record<string, unknown>).transcript;
    assert.deepEqual(schema('POST_CONVERSATION'), schema('ANALYTICS_COMPLETED'));
    assert.deepEqual(
      pathsOf('POST_CONVERSATION', {
        ...postConversation(),
        transcript: [{ role: 'robot', text: 'x' }],
      }),
      ['transcript[0].role'],
    );
  });
});

describe('ANALYTICS_COMPLETED payloads', () => {
  test('negative duration is refused', () => {
    assert.deepEqual(
      pathsOf('ANALYTICS_COMPLETED', { ...analyticsCompleted(), durationSeconds: -1 }),
      ['durationSeconds'],
    );
  });

  test('an invalid role deep in the transcript is reported with its index', () => {
    const payload = analyticsCompleted() as { transcript: { role: string }[] };
    payload.transcript[1]!.role = 'robot';
    const issues = issuesOf('ANALYTICS_COMPLETED', payload);
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['transcript[1].role'],
    );
    assert.match(issues[0]!.message, /agent/);
  });

  test('negative startSeconds and missing text are reported per turn', () => {
    const payload = {
      ...analyticsCompleted(),
      transcript: [{ role: 'agent', text: 'Hi', startSeconds: -0.5 }, { role: 'user' }],
    };
    assert.deepEqual(pathsOf('ANALYTICS_COMPLETED', payload), [
      'transcript[0].startSeconds',
      'transcript[1].text',
    ]);
  });

  test('metrics and variables must be objects', () => {
    assert.deepEqual(
      pathsOf('ANALYTICS_COMPLETED', { ...analyticsCompleted(), metrics: [], variables: 'x' }),
      ['metrics', 'variables'],
    );
  });

  test('all problems are reported at once', () => {
    assert.deepEqual(pathsOf('ANALYTICS_COMPLETED', { durationSeconds: -3, extra: true }), [
      'callId',
      'durationSeconds',
      'transcript',
      'metrics',
      'variables',
      'extra',
    ]);
  });
});

describe('payload size', () => {
  test('measures UTF-8 bytes of the JSON text', () => {
    assert.equal(payloadByteLength({ a: 'é' }), '{"a":"é"}'.length + 1);
    assert.equal(payloadByteLength({ a: '🎧' }), 12);
    assert.equal(payloadByteLength(undefined), 0);
    assert.equal(MAX_PAYLOAD_BYTES, 262_144);
  });

  test('the examples are far below the limit', () => {
    for (const type of EVENT_TYPES) assert.ok(payloadByteLength(type.example) < MAX_PAYLOAD_BYTES);
  });
});
