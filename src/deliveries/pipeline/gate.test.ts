import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Webhook } from '../../webhooks/webhook.ts';
import { closedCircuit } from '../policies/circuit-breaker.ts';
import { gate } from './gate.ts';
import type { DeliveryContext } from './load-contexts.ts';

const now = new Date('2026-11-30T12:00:00Z');

function context(
  webhook: Partial<Webhook> = {},
  status: DeliveryContext['delivery']['status'] = 'PENDING',
): DeliveryContext {
  return {
    delivery: {
      id: 'dlv_1',
      organizationId: 'org_1',
      status,
      queueState: 'admitted',
      attemptCount: 0,
      seriesAttemptCount: 0,
    },
    event: {
      id: 'evt_1',
      type: 'PRE_CONVERSATION',
      agentId: null,
      payload: {},
      createdAt: now,
      traceparent: null,
    },
    webhook: {
      id: 'whk_1',
      organizationId: 'org_1',
      url: 'https://example.com/hooks',
      kind: 'HTTP',
      description: '',
      enabled: true,
      disabledReason: null,
      sealedSigningSecret: 'whsec_x',
      sealedPreviousSigningSecret: null,
      sealedHeaders: null,
      operational: false,
      previousSecretExpiresAt: null,
      failingSince: null,
      maxConcurrency: null,
      rateLimitPerSecond: null,
      timeoutMs: null,
      sendTraceContext: false,
      orderByCall: false,
      circuit: closedCircuit(),
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...webhook,
    },
    webhookHasWaiting: false,
  };
}

test('a pending delivery to a healthy endpoint is attempted at once', () => {
  assert.deepEqual(gate(context(), null, now), { kind: 'attempt', probe: false, at: null });
});

test('a delivery that is gone or no longer pending is skipped', () => {
  assert.deepEqual(gate(undefined, null, now), { kind: 'skip' });
  for (const status of ['SUCCEEDED', 'FAILED', 'CANCELLED', 'HELD'] as const) {
    assert.deepEqual(gate(context({}, status), null, now), { kind: 'skip' });
  }
});

test('a disabled or deleted webhook cancels', () => {
  assert.deepEqual(gate(context({ enabled: false }), null, now), { kind: 'cancel' });
  assert.deepEqual(gate(context({ deletedAt: now }), null, now), { kind: 'cancel' });
});

test('an open circuit holds; a half-open one lets only its probe through, as a probe', () => {
  const open = { ...closedCircuit(5), state: 'OPEN' as const };
  assert.deepEqual(gate(context({ circuit: open }), null, now), { kind: 'hold' });
  const probing = { ...open, state: 'HALF_OPEN' as const, probeDeliveryId: 'dlv_1' };
  assert.deepEqual(gate(context({ circuit: probing }), null, now), {
    kind: 'attempt',
    probe: true,
    at: null,
  });
  const otherProbe = { ...probing, probeDeliveryId: 'dlv_2' };
  assert.deepEqual(gate(context({ circuit: otherProbe }), null, now), { kind: 'hold' });
});

test('a rate-limited endpoint needs a slot, then waits for a near one or defers to a far one', () => {
  const limited = context({ rateLimitPerSecond: 2 });
  assert.deepEqual(gate(limited, null, now), { kind: 'needs-slot' });
  const near = new Date(now.getTime() + 500);
  assert.deepEqual(gate(limited, near, now), { kind: 'attempt', probe: false, at: near });
  const far = new Date(now.getTime() + 5_000);
  assert.deepEqual(gate(limited, far, now), { kind: 'defer', slotAt: far });
});
