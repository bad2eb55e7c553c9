import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DeleteWebhookDocument,
  type HooklineClient,
  OrganizationTimelineDocument,
  type StatsWindow,
  WebhookTimelineDocument,
} from '@hookline/client';
import {
  type Attempt,
  answerByCallId,
  type Bucket,
  deliverCalls,
  expectedBuckets,
  moveAttempts,
  percentile,
} from '../support/attempt-times.ts';
import { agentWithWebhook } from '../support/fixtures.ts';
import { codeOf, postGraphQL } from '../support/raw.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/server.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How each window is cut, as the API documents it. */
const CUTS: Record<StatsWindow, { count: number; step: number }> = {
  LAST_HOUR: { count: 60, step: MINUTE },
  LAST_24_HOURS: { count: 96, step: 15 * MINUTE },
  LAST_7_DAYS: { count: 84, step: 2 * HOUR },
};
const WINDOWS = Object.keys(CUTS) as StatsWindow[];

let server: TestServer;
let receiver: Receiver;
before(async () => {
  // One retry, at once: a failing call makes two failed attempts.
  server = await startTestServer('webhook_timeline', { HOOKLINE_RETRY_SCHEDULE: '0.1' });
  receiver = await startReceiver(answerByCallId);
});
after(async () => {
  await receiver.close();
  await server.stop();
});

type Timelines = Record<StatsWindow, Bucket[]>;

/** Every window's timeline, with the moments just before and after they were asked for. */
async function readAll(
  read: (window: StatsWindow) => Promise<Bucket[]>,
): Promise<{ timelines: Timelines; asked: [number, number] }> {
  const before = Date.now();
  const timelines = {} as Timelines;
  for (const window of WINDOWS) timelines[window] = await read(window);
  return { timelines, asked: [before, Date.now()] };
}

/** The buckets are the window's cut: as many as documented, whole, back to back, up to now. */
function assertCut(window: StatsWindow, buckets: Bucket[], [before, after]: [number, number]) {
  const { count, step } = CUTS[window];
  assert.equal(buckets.length, count, `${window}: ${count} buckets`);
  buckets.forEach((bucket, i) => {
    const starts = Date.parse(bucket.startsAt);
    assert.equal(Date.parse(bucket.endsAt) - starts, step, `${window}: bucket ${i}'s length`);
    assert.equal(starts % step, 0, `${window}: bucket ${i} starts on a multiple of its length`);
    if (i > 0) assert.equal(bucket.startsAt, buckets[i - 1]!.endsAt, `${window}: bucket ${i}`);
  });
  const last = buckets.at(-1)!;
  assert.ok(
    Date.parse(last.startsAt) <= after && Date.parse(last.endsAt) > before,
    `${window}: the last bucket (${last.startsAt}) is the one now falls in`,
  );
}

/** Counts exactly; latencies as percentile_cont gives them, rounded to whole milliseconds. */
function assertBuckets(window: StatsWindow, actual: Bucket[], expected: Bucket[]) {
  assert.equal(actual.length, expected.length);
  actual.forEach((bucket, i) => {
    const want = expected[i]!;
    const where = `${window}, bucket ${i} (${bucket.startsAt})`;
    assert.deepEqual(
      [bucket.startsAt, bucket.endsAt, bucket.successCount, bucket.failureCount],
      [want.startsAt, want.endsAt, want.successCount, want.failureCount],
      where,
    );
    for (const key of ['p50LatencyMs', 'p95LatencyMs'] as const) {
      const [got, exact] = [bucket[key], want[key]];
      if (exact === null) assert.equal(got, null, `${where}: no ${key} without attempts`);
      else
        assert.ok(
          got !== null && Math.abs(got - exact) <= 0.5,
          `${where}: ${key} ${got} vs ${exact}`,
        );
    }
  });
}

const total = (buckets: Bucket[]) =>
  buckets.reduce((sum, b) => sum + b.successCount + b.failureCount, 0);

/**
 * Moves attempts to moments computed from the current buckets and reads the timelines again. A
 * bucket may end between the two reads (a minute bucket does, now and then): then the moments
 * are computed again from the new buckets, so that each lands where the test means it to.
 */
async function placeAndRead(
  read: (window: StatsWindow) => Promise<Bucket[]>,
  place: (timelines: Timelines) => Array<{ attempt: Attempt; to: Date }>,
) {
  for (let tries = 0; tries < 5; tries++) {
    const { timelines: current } = await readAll(read);
    const placed = await moveAttempts(server.database.url, place(current));
    const result = await readAll(read);
    const same = WINDOWS.every((w) => result.timelines[w][0]!.startsAt === current[w][0]!.startsAt);
    if (same) return { ...result, placed };
  }
  throw new Error('the buckets kept moving between two reads');
}

test('Webhook.timeline counts real attempts per bucket in each window: boundaries, empty buckets, p50/p95', async () => {
  const { client } = await server.newOrganization();
  const { agentId, webhookId } = await agentWithWebhook(client, receiver.url, ['PRE_CONVERSATION']);
  const calls = ['ok_0', 'ok_2', 'ok_4', 'ok_6', 'ok_1', 'ok_3', 'ok_5', 'fail_1', 'fail_4'];
  const attempts = await deliverCalls(client, agentId, webhookId, calls, 11);
  const S = attempts.filter((a) => a.errorKind === null);
  const F = attempts.filter((a) => a.errorKind !== null);
  assert.deepEqual([S.length, F.length], [7, 4]);

  const read = async (window: StatsWindow) =>
    (await client.request(WebhookTimelineDocument, { id: webhookId, window })).webhook!.timeline;
  const { timelines, asked, placed } = await placeAndRead(read, (now) => {
    const minute = Date.parse(now.LAST_HOUR.at(-1)!.startsAt);
    const dayStart = Date.parse(now.LAST_24_HOURS[0]!.startsAt);
    const weekStart = Date.parse(now.LAST_7_DAYS[0]!.startsAt);
    const at = (ms: number) => new Date(ms);
    return [
      { attempt: S[0]!, to: at(minute) }, // the first moment of the current bucket
      { attempt: F[0]!, to: at(minute - 1) }, // the last of the one before
      // Four in one minute, ten minutes ago, its first and last moments included.
      { attempt: S[1]!, to: at(minute - 10 * MINUTE) },
      { attempt: S[2]!, to: at(minute - 10 * MINUTE + 15_000) },
      { attempt: F[1]!, to: at(minute - 10 * MINUTE + 30_000) },
      { attempt: F[2]!, to: at(minute - 9 * MINUTE - 1) },
      { attempt: F[3]!, to: at(minute - 3 * HOUR) },
      { attempt: S[3]!, to: at(dayStart) }, // the 24-hour timeline's first moment
      { attempt: S[4]!, to: at(dayStart - 1) }, // just before it
      { attempt: S[5]!, to: at(weekStart) }, // the 7-day timeline's first moment
      { attempt: S[6]!, to: at(weekStart - 1) }, // in no timeline
    ];
  });

  for (const window of WINDOWS) {
    assertCut(window, timelines[window], asked);
    assertBuckets(window, timelines[window], expectedBuckets(timelines[window], placed));
  }

  // The same, spelled out for the last hour.
  const hour = timelines.LAST_HOUR;
  const counts = (b: Bucket) => [b.successCount, b.failureCount];
  assert.deepEqual(counts(hour[59]!), [1, 0], 'the current minute');
  assert.deepEqual(counts(hour[58]!), [0, 1], 'the minute before');
  assert.deepEqual(counts(hour[49]!), [2, 2], 'ten minutes ago');
  const four = [S[1]!, S[2]!, F[1]!, F[2]!].map((a) => a.durationMs);
  assert.ok(Math.abs(hour[49]!.p50LatencyMs! - percentile(four, 0.5)) <= 0.5);
  assert.ok(Math.abs(hour[49]!.p95LatencyMs! - percentile(four, 0.95)) <= 0.5);
  const empty = hour.filter((_, i) => ![49, 58, 59].includes(i));
  assert.equal(empty.length, 57);
  for (const bucket of empty) {
    assert.deepEqual(
      [bucket.successCount, bucket.failureCount, bucket.p50LatencyMs, bucket.p95LatencyMs],
      [0, 0, null, null],
    );
  }
  assert.equal(total(hour), 6);
  // The day: the hour's six, three hours ago, and its own first moment.
  assert.equal(total(timelines.LAST_24_HOURS), 8);
  assert.deepEqual(counts(timelines.LAST_24_HOURS[0]!), [1, 0]);
  // The week: all but the attempt a millisecond before it.
  assert.equal(total(timelines.LAST_7_DAYS), 10);
  assert.ok(timelines.LAST_7_DAYS[0]!.successCount >= 1);

  // Another organization does not find the webhook, timeline included.
  const other = await server.newOrganization();
  const foreign = await other.client.request(WebhookTimelineDocument, { id: webhookId });
  assert.equal(foreign.webhook, null);
});

test("Organization.timeline adds up the organization's webhooks, and failingWebhooks ranks those that failed", async () => {
  const { client } = await server.newOrganization();
  const setUp = async (calls: string[], attempts: number, owner: HooklineClient = client) => {
    const { agentId, webhookId } = await agentWithWebhook(owner, receiver.url, [
      'PRE_CONVERSATION',
    ]);
    return { webhookId, attempts: await deliverCalls(owner, agentId, webhookId, calls, attempts) };
  };
  const w1 = await setUp(['ok_1', 'fail_2'], 3);
  const w2 = await setUp(['ok_2', 'ok_3', 'fail_1'], 4);
  const healthy = await setUp(['ok_1'], 1);
  const deleted = await setUp(['fail_1'], 2);
  await client.request(DeleteWebhookDocument, { input: { id: deleted.webhookId } });
  const other = await server.newOrganization();
  const foreign = await setUp(['fail_1'], 2, other.client);

  const read = async (window: StatsWindow) =>
    (await client.request(OrganizationTimelineDocument, { window })).organization!.timeline;
  const split = (attempts: Attempt[]) => ({
    S: attempts.filter((a) => a.errorKind === null),
    F: attempts.filter((a) => a.errorKind !== null),
  });
  const { timelines, asked, placed } = await placeAndRead(read, (now) => {
    const minute = Date.parse(now.LAST_HOUR.at(-1)!.startsAt);
    const at = (ago: number) => new Date(minute - ago);
    const one = split(w1.attempts);
    const two = split(w2.attempts);
    return [
      { attempt: one.S[0]!, to: at(5 * MINUTE) },
      { attempt: one.F[0]!, to: at(5 * MINUTE - 10_000) },
      { attempt: one.F[1]!, to: at(3 * HOUR) },
      { attempt: two.S[0]!, to: at(20 * MINUTE) },
      { attempt: two.S[1]!, to: at(20 * MINUTE) },
      { attempt: two.F[0]!, to: at(30 * MINUTE) },
      { attempt: two.F[1]!, to: at(30 * MINUTE) },
      { attempt: healthy.attempts[0]!, to: at(5 * MINUTE) },
      // Counted nowhere: a deleted webhook's, another organization's.
      ...[...deleted.attempts, ...foreign.attempts].map((attempt) => ({
        attempt,
        to: at(5 * MINUTE),
      })),
    ];
  });
  const counted = placed.slice(0, 8);
  for (const window of WINDOWS) {
    assertCut(window, timelines[window], asked);
    assertBuckets(window, timelines[window], expectedBuckets(timelines[window], counted));
  }
  assert.equal(total(timelines.LAST_HOUR), 7);
  assert.equal(total(timelines.LAST_24_HOURS), 8);

  // The ranking: failure rate, then attempts. In the last hour w1 failed 1 of 2 and w2 2 of 4;
  // over the day w1 failed 2 of 3. The healthy webhook never failed: it is not listed.
  const failing = async (window: StatsWindow) =>
    (await client.request(OrganizationTimelineDocument, { window })).organization!.failingWebhooks;
  const p95 = (attempts: Attempt[]) =>
    percentile(
      attempts.map((a) => a.durationMs),
      0.95,
    );
  const hour = await failing('LAST_HOUR');
  assert.deepEqual(
    hour.map((f) => [f.webhook.id, f.attemptCount, f.failureCount, f.failureRate]),
    [
      [w2.webhookId, 4, 2, 0.5],
      [w1.webhookId, 2, 1, 0.5],
    ],
  );
  assert.equal(hour[1]!.lastErrorAt, placed[1]!.startedAt);
  assert.equal(hour[0]!.lastErrorAt, placed[5]!.startedAt);
  assert.ok(Math.abs(hour[0]!.p95LatencyMs! - p95(w2.attempts)) <= 0.5);
  const day = await failing('LAST_24_HOURS');
  assert.deepEqual(
    day.map((f) => [f.webhook.id, f.attemptCount, f.failureCount]),
    [
      [w1.webhookId, 3, 2],
      [w2.webhookId, 4, 2],
    ],
  );
  assert.equal(day[0]!.failureRate, 2 / 3);
  assert.equal(day[0]!.lastErrorAt, placed[1]!.startedAt);
  assert.equal(day[0]!.webhook.url, new URL(receiver.url).href);

  // The other organization sees only its own.
  const theirs = (await other.client.request(OrganizationTimelineDocument, {})).organization!;
  assert.deepEqual(
    theirs.failingWebhooks.map((f) => [f.webhook.id, f.failureCount]),
    [[foreign.webhookId, 2]],
  );
  assert.equal(total(theirs.timeline), 2);
});

test('an organization without attempts has empty buckets and no failing webhook; the operator key reads neither', async () => {
  const { client } = await server.newOrganization();
  const { organization } = await client.request(OrganizationTimelineDocument, {
    window: 'LAST_HOUR',
  });
  assert.equal(organization!.timeline.length, 60);
  for (const bucket of organization!.timeline) {
    assert.deepEqual(
      [bucket.successCount, bucket.failureCount, bucket.p50LatencyMs, bucket.p95LatencyMs],
      [0, 0, null, null],
    );
  }
  assert.deepEqual(organization!.failingWebhooks, []);

  // The operator reads an organization it creates, but not its deliveries.
  const created = await postGraphQL(
    server.url,
    'mutation { createOrganization(input: { name: "Other" }) { organization { id timeline { startsAt } } } }',
    {},
    TEST_ADMIN_KEY,
  );
  assert.equal(codeOf(created), 'FORBIDDEN');
});
