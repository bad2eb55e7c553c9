import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, apiErrorFrom } from '../../dashboard/src/api.ts';
import {
  EMPTY_SETTINGS,
  settingsDraftOf,
  settingsToCreate,
  settingsToUpdate,
} from '../../dashboard/src/endpoint-settings.ts';
import { describeError } from '../../dashboard/src/errors.ts';
import { formatSetting, maskSecret } from '../../dashboard/src/format.ts';
import { hrefOf, parseRoute, type Route } from '../../dashboard/src/router.ts';
import { parseFallback } from '../../dashboard/src/screens/agent-details/fallback-text.ts';
import { formatRate, healthOf } from '../../dashboard/src/stats.ts';
import { verificationSnippets } from '../../dashboard/src/verification-code.ts';

/** The dashboard's pure parts, which run in Node as they do in the browser. */
describe('success rate', () => {
  it('never rounds a failure up to 100%', () => {
    assert.equal(formatRate(1), '100%');
    assert.equal(formatRate(0.9995), '99.9%');
    assert.equal(formatRate(0.995), '99.5%');
    assert.equal(formatRate(0.5), '50%');
  });

  it('reads as good, warning or bad', () => {
    assert.equal(healthOf(0.95), 'good');
    assert.equal(healthOf(0.9), 'warning');
    assert.equal(healthOf(0.75), 'bad');
    assert.equal(healthOf(null), 'unknown');
  });
});

describe('delivery settings', () => {
  const webhook = { maxConcurrency: 8, rateLimitPerSecond: null, timeoutMs: 15_000 };
  const initial = settingsDraftOf(webhook);

  it('fills the form with the values, no rate limit as an empty field', () => {
    assert.deepEqual(initial, { maxConcurrency: '8', rateLimitPerSecond: '', timeoutMs: '15000' });
  });

  it('updates only what changed: an emptied field back to its default, one left alone left out', () => {
    assert.deepEqual(settingsToUpdate(initial, initial), {});
    assert.deepEqual(settingsToUpdate({ ...initial, maxConcurrency: ' 08 ' }, initial), {});
    assert.deepEqual(
      settingsToUpdate({ maxConcurrency: '3', rateLimitPerSecond: '20', timeoutMs: '' }, initial),
      { maxConcurrency: 3, rateLimitPerSecond: 20, timeoutMs: null },
    );
    // Out of range is sent as typed: the API names the field and says why.
    assert.deepEqual(settingsToUpdate({ ...initial, maxConcurrency: '0' }, initial), {
      maxConcurrency: 0,
    });
  });

  it('creates with the fields filled in, leaving the others to the defaults', () => {
    assert.deepEqual(settingsToCreate(EMPTY_SETTINGS), {});
    assert.deepEqual(settingsToCreate({ ...EMPTY_SETTINGS, rateLimitPerSecond: '5' }), {
      rateLimitPerSecond: 5,
    });
  });

  it('shows a timeout as it was set', () => {
    assert.equal(formatSetting(500), '500 ms');
    assert.equal(formatSetting(15_000), '15 s');
    assert.equal(formatSetting(2500), '2.5 s');
  });
});

describe('routes', () => {
  const routes: Route[] = [
    { name: 'overview' },
    { name: 'webhooks' },
    { name: 'webhook', id: 'whk_1' },
    { name: 'agents' },
    { name: 'agent', id: 'agt_1', tab: 'webhooks' },
    { name: 'agent', id: 'agt_1', tab: 'events' },
    { name: 'live', filters: {} },
    {
      name: 'live',
      filters: { webhookId: 'whk_1', agentId: 'agt_1', eventType: 'PRE_CONVERSATION' },
    },
  ];
  for (const route of routes) {
    it(`round-trips ${hrefOf(route)}`, () => assert.deepEqual(parseRoute(hrefOf(route)), route));
  }

  it('starts on the overview and reports unknown paths', () => {
    assert.deepEqual(parseRoute(''), { name: 'overview' });
    assert.deepEqual(parseRoute('#/'), { name: 'overview' });
    assert.deepEqual(parseRoute('#/nope/1/2'), { name: 'not-found', path: '/nope/1/2' });
  });
});

describe('error messages', () => {
  it('maps input problems to their fields', () => {
    const error = apiErrorFrom(
      [
        {
          message: 'Invalid input: url: must use http or https',
          extensions: {
            code: 'BAD_USER_INPUT',
            field: 'url',
            problems: [{ field: 'url', message: 'must use http or https' }],
          },
        },
      ],
      200,
    );
    const view = describeError(error);
    assert.deepEqual(view.fields, { url: 'must use http or https' });
    assert.equal(view.message, 'Please correct this field: url must use http or https.');
  });

  it('says what each code means', () => {
    const message = (code: string, text = 'Webhook whk_1 was not found') =>
      describeError(new ApiError(text, code)).message;
    assert.equal(message('NOT_FOUND'), 'Webhook whk_1 was not found. It may have been deleted.');
    assert.match(message('UNAUTHENTICATED'), /not accepted.*Sign in again/);
    assert.equal(
      message('FORBIDDEN', 'This VIEWER API key may not do that'),
      'Not allowed: This VIEWER API key may not do that.',
    );
    assert.equal(
      message('CONFLICT', 'Webhook whk_1 is disabled: enable it first'),
      'Not possible right now: Webhook whk_1 is disabled: enable it first.',
    );
    assert.match(message('NETWORK'), /Cannot reach Hookline/);
    assert.match(
      describeError(apiErrorFrom([{ message: 'Unexpected error.' }], 200)).message,
      /internal error/,
    );
    assert.equal(
      describeError(new ApiError('slow down', 'RATE_LIMITED', { retryAfterSeconds: 7 })).message,
      'Too many requests. Try again in 7 s.',
    );
  });
});

describe('verification code', () => {
  it('carries the secret as a string literal in both languages', () => {
    const secret = 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=';
    for (const snippet of verificationSnippets(secret)) {
      assert.ok(snippet.code.includes(`"${secret}"`), snippet.label);
    }
  });

  it('masks all but the end of a secret', () => {
    const masked = maskSecret('whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=');
    assert.ok(masked.startsWith('whsec_•'));
    assert.ok(masked.endsWith('dHM='));
    assert.ok(!masked.includes('c2VjcmV0'));
  });
});

describe('the call-setup fallback editor', () => {
  it('takes an object of strings, numbers and booleans', () => {
    assert.deepEqual(parseFallback('{"greeting": "Hi", "vip": true, "tier": 2}'), {
      value: { greeting: 'Hi', vip: true, tier: 2 },
    });
    assert.deepEqual(parseFallback('{}'), { value: {} });
  });

  it('says what is wrong with anything else', () => {
    assert.deepEqual(parseFallback('{"greeting": '), { problem: 'Not valid JSON' });
    for (const text of ['[]', '"hi"', 'null', '3']) {
      assert.match(parseFallback(text).problem ?? '', /Must be a JSON object/, text);
    }
    assert.equal(
      parseFallback('{"customer": {"name": "Ada"}}').problem,
      'customer: values must be strings, numbers or booleans',
    );
    assert.match(parseFallback('{"tags": ["a"]}').problem ?? '', /^tags:/);
    assert.match(parseFallback('{"gone": null}').problem ?? '', /^gone:/);
  });
});
