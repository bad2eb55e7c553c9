import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  admitsAttempt,
  afterAttempts,
  closedCircuit,
  probeDelaySeconds,
} from './circuit-breaker.ts';

const settings = { failureThreshold: 3, probeSeconds: 5, maxProbeSeconds: 60 };
const now = new Date('2026-11-30T12:00:00Z');
const fail = { ok: false, probe: false };
const succeed = { ok: true, probe: false };
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('circuit breaker', () => {
  test('stays closed below the threshold, counting failures in a row', () => {
    const change = afterAttempts(closedCircuit(), [fail, fail], now, settings);
    assert.equal(change.circuit.state, 'CLOSED');
    assert.equal(change.circuit.consecutiveFailures, 2);
    assert.equal(change.transition, null);
  });

  test('a success resets the count', () => {
    const change = afterAttempts(closedCircuit(), [fail, fail, succeed, fail], now, settings);
    assert.equal(change.circuit.consecutiveFailures, 1);
    assert.equal(change.circuit.state, 'CLOSED');
  });

  test('opens at the threshold, with its first probe after probeSeconds', () => {
    const change = afterAttempts(closedCircuit(2), [fail], now, settings);
    assert.equal(change.transition, 'opened');
    assert.deepEqual(change.circuit, {
      state: 'OPEN',
      consecutiveFailures: 3,
      openedAt: now,
      nextProbeAt: at(5),
      failedProbes: 0,
      probeDeliveryId: null,
    });
  });

  test('a failed probe opens it again and doubles the wait, up to the maximum', () => {
    const halfOpen = {
      ...afterAttempts(closedCircuit(2), [fail], now, settings).circuit,
      state: 'HALF_OPEN' as const,
      probeDeliveryId: 'dlv_probe',
    };
    const change = afterAttempts(halfOpen, [{ ok: false, probe: true }], now, settings);
    assert.equal(change.transition, 'reopened');
    assert.equal(change.circuit.failedProbes, 1);
    assert.deepEqual(change.circuit.nextProbeAt, at(10));
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((n) => probeDelaySeconds(n, settings)),
      [5, 10, 20, 40, 60, 60],
    );
  });

  test('a success closes it from any state', () => {
    for (const state of ['OPEN', 'HALF_OPEN'] as const) {
      const circuit = { ...closedCircuit(7), state, openedAt: now, nextProbeAt: at(5) };
      const change = afterAttempts(circuit, [succeed], now, settings);
      assert.equal(change.transition, 'closed');
      assert.deepEqual(change.circuit, closedCircuit());
    }
  });

  test('failures while open only count: the probe schedule stands', () => {
    const open = afterAttempts(closedCircuit(2), [fail], now, settings).circuit;
    const change = afterAttempts(open, [fail, fail], at(1), settings);
    assert.equal(change.transition, null);
    assert.equal(change.circuit.state, 'OPEN');
    assert.deepEqual(change.circuit.nextProbeAt, at(5));
    assert.equal(change.circuit.consecutiveFailures, 5);
  });

  test('lets through everything when closed, only its probe when half open, nothing when open', () => {
    assert.equal(admitsAttempt(closedCircuit(), 'dlv_a'), true);
    const open = { ...closedCircuit(), state: 'OPEN' as const };
    assert.equal(admitsAttempt(open, 'dlv_a'), false);
    const halfOpen = { ...closedCircuit(), state: 'HALF_OPEN' as const, probeDeliveryId: 'dlv_a' };
    assert.equal(admitsAttempt(halfOpen, 'dlv_a'), true);
    assert.equal(admitsAttempt(halfOpen, 'dlv_b'), false);
  });
});
