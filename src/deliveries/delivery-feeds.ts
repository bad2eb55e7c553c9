import { decodeTime, encodeTime } from 'ulidx';
import type { FeedKind } from '../pubsub/live-feed.ts';
import type { AttemptNotice, DeliveryNotice } from '../pubsub/notices.ts';
import { ID_PREFIXES, kindOfId } from '../shared/ids.ts';
import { findAttemptsByIds, findDeliveriesByIds } from './deliveries.repository.ts';
import {
  changeIdOf,
  changePosition,
  type Delivery,
  parseChangeId,
  rowChangeIdOf,
  toDelivery,
} from './delivery.ts';
import { type DeliveryAttempt, toDeliveryAttempt } from './delivery-attempt.ts';
import {
  type AttemptFeedFilter,
  attemptBelongsTo,
  countAttemptsAfter,
  countDeliveriesChangedAfter,
  type DeliveryFeedFilter,
  findAttemptsAfter,
  findDeliveriesChangedAfter,
} from './feed-replay.repository.ts';
import type { RecentAttempts } from './recent-attempts.ts';

export type { AttemptFeedFilter, DeliveryFeedFilter };

/** The live feeds of the deliveries domain, built once per running Hookline (src/app.ts). */
export interface DeliveryFeeds {
  attempts: FeedKind<AttemptNotice, DeliveryAttempt, AttemptFeedFilter>;
  deliveries: FeedKind<DeliveryNotice, Delivery, DeliveryFeedFilter>;
}

/** The smallest id of an attempt recorded at `ms`. */
const attemptIdAt = (ms: number) =>
  `${ID_PREFIXES.DeliveryAttempt}_${encodeTime(ms, 10)}${'0'.repeat(16)}`;
const timeOfUlid = (ulid: string): number | undefined => {
  try {
    return decodeTime(ulid);
  } catch {
    // Well formed, but past the last millisecond a ULID can hold.
    return undefined;
  }
};
const later = (a: string, b: string) => (a > b ? a : b);

export function createDeliveryFeeds(recentAttempts: RecentAttempts): DeliveryFeeds {
  return { attempts: attemptsFeed(recentAttempts), deliveries: deliveriesFeed() };
}

/**
 * Attempts are written once and never change: the row is the item, and its id its position.
 * Those this process's worker has just recorded are taken from memory; only the others are read.
 */
function attemptsFeed(
  recent: RecentAttempts,
): FeedKind<AttemptNotice, DeliveryAttempt, AttemptFeedFilter> {
  // Past the position asked for, and within the feed's age limit.
  const positionAfter = (query: { after: string; notBefore: Date }) =>
    later(query.after, attemptIdAt(query.notBefore.getTime()));
  return {
    name: 'deliveryAttempts',
    select: (notices) => notices.attempts ?? [],
    matches: (filter, notice) =>
      (!filter.webhookId || notice.webhookId === filter.webhookId) &&
      (!filter.agentId || notice.agentId === filter.agentId) &&
      (!filter.eventType || notice.eventType === filter.eventType),
    async load(db, notices) {
      const byId = new Map<string, DeliveryAttempt>();
      const missing: string[] = [];
      for (const { attemptId } of notices) {
        const attempt = recent.claim(attemptId);
        if (attempt) byId.set(attemptId, attempt);
        else missing.push(attemptId);
      }
      for (const row of await findAttemptsByIds(db, missing))
        byId.set(row.id, toDeliveryAttempt(row));
      return notices.map((notice) => {
        const attempt = byId.get(notice.attemptId);
        return attempt?.organizationId === notice.organizationId ? attempt : undefined;
      });
    },
    positionOf: (attempt) => attempt.id,
    keyOf: (attempt) => attempt.id,
    versionOf: (attempt) => attempt.id,
    positionAt: attemptIdAt,
    timeOf: (id) => (kindOfId(id) === 'DeliveryAttempt' ? timeOfUlid(id.slice(4)) : undefined),
    isOwn: attemptBelongsTo,
    async readAfter(db, query) {
      const rows = await findAttemptsAfter(db, { ...query, after: positionAfter(query) });
      return rows.map(toDeliveryAttempt);
    },
    countAfter: (db, query) => countAttemptsAfter(db, { ...query, after: positionAfter(query) }),
  };
}

/**
 * A delivery changes again after its notice (a retry may already be done by the time the row is
 * read), so each live item carries the status its notice announced: a subscriber sees PENDING,
 * then SUCCEEDED, even if both changes were committed before the first load ran. The other
 * fields are as loaded. Its position is its change id (delivery.ts); a replay sends each
 * delivery changed after a position once, as it is now, and the live items that would repeat
 * it (or show an older state after it) are skipped.
 */
function deliveriesFeed(): FeedKind<DeliveryNotice, Delivery, DeliveryFeedFilter> {
  // Past the position asked for, and within the feed's age limit.
  const positionAfter = (query: { after: string; notBefore: Date }) => {
    const position = later(query.after, changePosition(query.notBefore.getTime(), '0'.repeat(16)));
    // Both are well formed here: checked (or made) by the feed.
    return parseChangeId(position)!;
  };
  return {
    name: 'deliveryUpdated',
    select: (notices) => notices.deliveries ?? [],
    matches: (filter, notice) =>
      (!filter.webhookId || notice.webhookId === filter.webhookId) &&
      (!filter.status || notice.status === filter.status),
    async load(db, notices, receivedAt) {
      const ids = [...new Set(notices.map((notice) => notice.deliveryId))];
      const byId = new Map((await findDeliveriesByIds(db, ids)).map((row) => [row.id, row]));
      // The notices' changes were committed before they were received: a row read later may show
      // a newer change, whose own notice is still to come, and so may other deliveries' changes
      // made in between. The item's position stays at the notice, so that resuming from it
      // replays them.
      const received = changePosition(receivedAt, '0'.repeat(16));
      return notices.map((notice) => {
        const row = byId.get(notice.deliveryId);
        if (row?.organization_id !== notice.organizationId) return undefined;
        const delivery = toDelivery(row);
        const rowChange = rowChangeIdOf(delivery);
        return {
          ...delivery,
          status: notice.status,
          ...(rowChange > received ? { changeId: received } : {}),
        };
      });
    },
    positionOf: changeIdOf,
    keyOf: (delivery) => delivery.id,
    versionOf: rowChangeIdOf,
    positionAt: (ms) => changePosition(ms, '0'.repeat(16)),
    timeOf: (id) => parseChangeId(id)?.ms,
    // A change id names no row: nothing to check beyond its form, and a replay only ever reads
    // the subscriber's own organization.
    isOwn: async () => true,
    async readAfter(db, query) {
      const rows = await findDeliveriesChangedAfter(db, { ...query, after: positionAfter(query) });
      return rows.map(toDelivery);
    },
    countAfter: (db, query) =>
      countDeliveriesChangedAfter(db, { ...query, after: positionAfter(query) }),
  };
}
