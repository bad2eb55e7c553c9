import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceScale, timeTicks, valueTicks } from '../../dashboard/src/chart-scale.ts';

describe('chart value axes', () => {
  it('rounds the top up to 1, 2 or 5 × 10ⁿ steps', () => {
    assert.deepEqual(niceScale(7), { max: 8, step: 2 });
    assert.deepEqual(niceScale(130), { max: 150, step: 50 });
    assert.deepEqual(niceScale(1234), { max: 1500, step: 500 });
    assert.deepEqual(niceScale(0.3), { max: 0.3, step: 0.1 });
  });

  it('counts in whole steps, and has one step without data', () => {
    assert.deepEqual(niceScale(1, { whole: true }), { max: 1, step: 1 });
    assert.deepEqual(niceScale(3, { whole: true }), { max: 3, step: 1 });
    assert.deepEqual(niceScale(0, { whole: true }), { max: 1, step: 1 });
    assert.deepEqual(niceScale(0), { max: 1, step: 1 });
  });

  it('marks every step from 0 to the top, without drifting', () => {
    assert.deepEqual(valueTicks({ max: 8, step: 2 }), [0, 2, 4, 6, 8]);
    assert.deepEqual(valueTicks({ max: 0.3, step: 0.1 }).length, 4);
  });
});

describe('chart time axes', () => {
  const MINUTE = 60_000;
  const at = (text: string) => new Date(text).getTime();
  const local = (ticks: number[]) =>
    ticks.map((t) => {
      const d = new Date(t);
      return `${d.getDate()} ${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
    });

  it('marks round local times of an hour, every 10 minutes', () => {
    const from = at('2026-11-30T13:07:00');
    const { ticks, daily } = timeTicks(from, from + 60 * MINUTE, 6);
    assert.equal(daily, false);
    assert.deepEqual(local(ticks), [
      '30 13:10',
      '30 13:20',
      '30 13:30',
      '30 13:40',
      '30 13:50',
      '30 14:00',
    ]);
  });

  it('marks whole hours of a day and midnights of a week', () => {
    const day = at('2026-11-29T13:15:00');
    assert.deepEqual(local(timeTicks(day, day + 1440 * MINUTE, 8).ticks), [
      '29 15:00',
      '29 18:00',
      '29 21:00',
      '30 0:00',
      '30 3:00',
      '30 6:00',
      '30 9:00',
      '30 12:00',
    ]);
    const week = at('2026-11-23T14:00:00');
    const { ticks, daily } = timeTicks(week, week + 7 * 1440 * MINUTE, 7);
    assert.equal(daily, true);
    assert.deepEqual(local(ticks), [
      '24 0:00',
      '25 0:00',
      '26 0:00',
      '27 0:00',
      '28 0:00',
      '29 0:00',
      '30 0:00',
    ]);
  });

  it('takes fewer marks when there is less room', () => {
    const from = at('2026-11-30T00:00:00');
    assert.deepEqual(local(timeTicks(from, from + 1440 * MINUTE, 3).ticks), [
      '30 0:00',
      '30 12:00',
    ]);
  });
});
