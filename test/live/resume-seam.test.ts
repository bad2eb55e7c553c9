import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/database.ts';
import { type FeedKind, LiveEnd, LiveFeeds } from '../../src/pubsub/live-feed.ts';
import type { AttemptNotice, Notices } from '../../src/pubsub/notices.ts';
import { createInProcessNotifier, type Notifier } from '../../src/pubsub/notifier.ts';
import { BadUserInputError, ResumeTooFarError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';

/**
 * The seam of a resumed subscription, driven step by step over the in-process notifier: live
 * items that come while the replay reads are held, then let through without those the replay
 * already sent. The end-to-end proof, on PostgreSQL with real processes, is resume.test.ts.
 */
const logger = createLogger({ level: 'silent' });
const NO_DATABASE = undefined as unknown as Db;

const notice = (id: string): AttemptNotice => ({
  organizationId: 'org_a',
  attemptId: id,
  deliveryId: 'dlv_1',
  webhookId: 'whk_1',
  agentId: null,
  eventType: 'PRE_CONVERSATION',
});

/**
 * A feed whose "table" is an array of ids (positions are the ids themselves, `p01`...), and
 * whose replay reads wait for the test to open a gate.
 */
function tableFeed(table: string[]) {
  const reads: Array<{ after: string; release: () => void }> = [];
  const kind: FeedKind<AttemptNotice, string, null> = {
    name: 'table',
    select: (notices: Notices) => notices.attempts ?? [],
    matches: () => true,
    load: async (_db, notices) => notices.map((n) => n.attemptId),
    positionOf: (id) => id,
    keyOf: (id) => id,
    versionOf: (id) => id,
    positionAt: () => 'p00',
    timeOf: (id) => (/^p\d\d$/.test(id) ? Date.now() : undefined),
    isOwn: async (_db, _org, id) => table.includes(id),
    readAfter: (_db, query) =>
      new Promise((resolve) => {
        reads.push({
          after: query.after,
          release: () => resolve(table.filter((id) => id > query.after).slice(0, query.limit)),
        });
      }),
    countAfter: async (_db, query) =>
      Math.min(query.limit, table.filter((id) => id > query.after).length),
  };
  return { kind, reads };
}

const publish = (notifier: Notifier, ...ids: string[]) =>
  notifier.publish(NO_DATABASE, { attempts: ids.map(notice) });

async function take(iterator: AsyncIterableIterator<unknown>, count: number): Promise<unknown[]> {
  const items: unknown[] = [];
  while (items.length < count) items.push((await iterator.next()).value);
  return items;
}

describe('resuming a live feed', () => {
  test('live items during the replay wait, then come after it without the ones it sent', async () => {
    const notifier = createInProcessNotifier(logger);
    const feeds = new LiveFeeds({ notifier, db: NO_DATABASE, logger });
    const table = ['p01', 'p02', 'p03', 'p04'];
    const { kind, reads } = tableFeed(table);
    const sub = await feeds.subscribe(kind, {
      organizationId: 'org_a',
      filter: null,
      bufferSize: 10,
      after: 'p02',
    });
    // p04 is committed (in the table) and announced; p05 is new: both come live meanwhile.
    table.push('p05');
    await publish(notifier, 'p04', 'p05');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.after, 'p02');
    reads[0]!.release();
    assert.deepEqual(await take(sub, 3), ['p03', 'p04', 'p05']);
    // The live stream goes on.
    await publish(notifier, 'p06');
    assert.deepEqual(await take(sub, 1), ['p06']);
    await sub.return?.();
    assert.equal(feeds.subscriberCount, 0);
  });

  test('a bad after is refused and leaves no subscriber behind', async () => {
    const notifier = createInProcessNotifier(logger);
    const feeds = new LiveFeeds({ notifier, db: NO_DATABASE, logger });
    const { kind } = tableFeed(['p01']);
    const subscribe = (after: string) =>
      feeds.subscribe(kind, { organizationId: 'org_a', filter: null, bufferSize: 10, after });
    await assert.rejects(subscribe('nope'), BadUserInputError);
    await assert.rejects(subscribe('p09'), BadUserInputError);
    assert.equal(feeds.subscriberCount, 0);
  });

  test('more items after `after` than the feed replays: RESUME_TOO_FAR', async () => {
    const notifier = createInProcessNotifier(logger);
    const feeds = new LiveFeeds({
      notifier,
      db: NO_DATABASE,
      logger,
      limits: { maxAgeMs: 60_000, maxItems: 2 },
    });
    const { kind } = tableFeed(['p01', 'p02', 'p03', 'p04']);
    await assert.rejects(
      feeds.subscribe(kind, {
        organizationId: 'org_a',
        filter: null,
        bufferSize: 10,
        after: 'p01',
      }),
      ResumeTooFarError,
    );
    const ok = await feeds.subscribe(kind, {
      organizationId: 'org_a',
      filter: null,
      bufferSize: 10,
      after: 'p02',
    });
    assert.ok(!(ok instanceof LiveEnd));
    await ok.return?.();
    assert.equal(feeds.subscriberCount, 0);
  });
});
