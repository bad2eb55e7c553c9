import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { BadUserInputError, ResumeTooFarError, SlowConsumerError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Notices } from './notices.ts';
import type { Notifier } from './notifier.ts';

/**
 * Live feeds: GraphQL subscriptions fed by the notices of the Notifier (LISTEN/NOTIFY across
 * processes, in-process events in embedded mode).
 *
 * - Filtering happens on the fields the notices carry (organization, ids, status, event type),
 *   so a notice nobody in this process wants costs no query. Subscribers are indexed by
 *   organization: a notice is matched against its own organization's subscribers only, so one
 *   organization's traffic costs nothing per subscriber of another.
 * - Each batch of notices is loaded once per process, in one query, whatever the number of
 *   subscribers who want it; subscribers receive the items in the order the notices came.
 * - Each subscriber has a bounded buffer. Items count against it from the moment a notice is
 *   routed to the subscriber (while its row loads) until the client pulls them. A subscriber
 *   whose buffer is full is ended with SLOW_CONSUMER; nobody else waits for it, and publishing
 *   never waits on any subscriber.
 * - A feed listens to the notifier only while it has subscribers. Ending a subscription (the
 *   transport calls `return()` when the client unsubscribes, disconnects or the server stops)
 *   removes it at once, even while it waits for an item.
 * - Resuming without a gap: every item has a position (its id, or another string that sorts in
 *   feed order). A subscriber that passes `after`, and every subscriber of a process whose
 *   LISTEN connection comes back, is registered first, holds what the live feed brings, reads
 *   what came after its position from the database (in pages, as the client pulls), then lets
 *   the held items through, skipping those it has just replayed. A replay is bounded (the
 *   last hour, 10,000 items): beyond that the subscription is refused or ended with
 *   RESUME_TOO_FAR.
 */

export const DEFAULT_SUBSCRIPTION_BUFFER = 1_000;

/** How far back a live feed replays; the deliveries query covers everything older. */
export interface ResumeLimits {
  maxAgeMs: number;
  maxItems: number;
}

export const RESUME_LIMITS: ResumeLimits = { maxAgeMs: 60 * 60_000, maxItems: 10_000 };

/** What every notice a feed follows carries: the organization it belongs to. */
export interface OrganizationNotice {
  organizationId: string;
}

/** What a replay reads: the subscriber's organization and filter, after a position. */
export interface CatchUpQuery<F> {
  organizationId: string;
  filter: F;
  after: string;
  /** Nothing older is replayed (the feed's age limit). */
  notBefore: Date;
  limit: number;
}

/**
 * One kind of live feed: which notices it follows, which a subscriber wants (`F` is its filter),
 * how it turns them into items, and how it reads back the items after a position.
 */
export interface FeedKind<N extends OrganizationNotice, T, F> {
  name: string;
  /** The notices of this kind in a batch. */
  select(notices: Notices): readonly N[];
  /** The subscriber's filter, on the notice alone (the organization is already checked). */
  matches(filter: F, notice: N): boolean;
  /**
   * Loads the items of the given notices (every notice of one batch that some subscriber in this
   * process wants), in one query: one entry per notice, in order, undefined when its row is gone.
   */
  load(
    db: Kysely<Database>,
    notices: readonly N[],
    /** When this process received the notices (Date.now()): their changes are older. */
    receivedAt: number,
  ): Promise<ReadonlyArray<T | undefined>>;
  /** Where an item stands: positions sort (as strings) in the order items are recorded. */
  positionOf(item: T): string;
  /** What the item shows: a row (its key) as of some change (its version, sorting like positions). */
  keyOf(item: T): string;
  versionOf(item: T): string;
  /** A position before every item recorded from `timeMs` on. */
  positionAt(timeMs: number): string;
  /** When a position a client sent was recorded, or undefined when it is not one of this feed's. */
  timeOf(position: string): number | undefined;
  /** Whether a well-formed position names something of this organization's. */
  isOwn(db: Kysely<Database>, organizationId: string, position: string): Promise<boolean>;
  /** The items after `query.after`, in position order, at most `query.limit`. */
  readAfter(db: Kysely<Database>, query: CatchUpQuery<F>): Promise<T[]>;
  /** How many items come after `query.after`, counting no further than `query.limit`. */
  countAfter(db: Kysely<Database>, query: CatchUpQuery<F>): Promise<number>;
}

/** Why a subscription was ended: the last thing its client receives. */
export class LiveEnd {
  readonly error: Error;
  constructor(error: Error) {
    this.error = error;
  }
}

/** What a subscriber receives: an item, or, last of all, the reason it was ended. */
export type LiveItem<T> = T | LiveEnd;

/** For a subscription field's `resolve`: the item itself, or the GraphQL error that ends it. */
export function unwrapLiveItem<T>(item: LiveItem<T>): T {
  if (item instanceof LiveEnd) throw item.error;
  return item;
}

export interface SubscribeOptions<F> {
  organizationId: string;
  filter: F;
  /** Most items waiting for the client before the subscription is ended. */
  bufferSize: number;
  /** The position of the last item the client received: what came after it is replayed first. */
  after?: string | null;
}

export interface LiveFeedsOptions {
  notifier: Notifier;
  db: Kysely<Database>;
  logger: Logger;
  limits?: ResumeLimits;
}

/** Every live feed of one running Hookline: built once, in the composition root. */
export class LiveFeeds {
  readonly #options: Required<LiveFeedsOptions>;
  // Kinds differ in their type parameters; each feed is only ever used with its own kind.
  readonly #feeds = new Map<string, Feed<never, unknown, never>>();

  constructor(options: LiveFeedsOptions) {
    this.#options = { limits: RESUME_LIMITS, ...options };
  }

  /**
   * Subscribes to a feed. The subscriber is registered before this returns its promise (a
   * notice published from then on reaches it); with `after`, the promise rejects (and nothing
   * stays registered) when `after` is not a position of the organization's or is too far back.
   */
  async subscribe<N extends OrganizationNotice, T, F>(
    kind: FeedKind<N, T, F>,
    options: SubscribeOptions<F>,
  ): Promise<AsyncIterableIterator<LiveItem<T>>> {
    const feed = this.#feedOf(kind);
    const subscriber = feed.add(options);
    if (options.after == null) return subscriber;
    try {
      await subscriber.checkResume(options.after);
    } catch (error) {
      await subscriber.return();
      throw error;
    }
    subscriber.replay();
    return subscriber;
  }

  /** Subscribers of every feed: for tests and metrics. */
  get subscriberCount(): number {
    let count = 0;
    for (const feed of this.#feeds.values()) count += feed.size;
    return count;
  }

  #feedOf<N extends OrganizationNotice, T, F>(kind: FeedKind<N, T, F>): Feed<N, T, F> {
    let feed = this.#feeds.get(kind.name) as Feed<N, T, F> | undefined;
    if (!feed) {
      feed = new Feed(kind, this.#options);
      this.#feeds.set(kind.name, feed as unknown as Feed<never, unknown, never>);
    }
    return feed;
  }
}

/** What a subscriber needs of its feed to replay. */
interface FeedContext<N extends OrganizationNotice, T, F> {
  kind: FeedKind<N, T, F>;
  db: Kysely<Database>;
  logger: Logger;
  limits: ResumeLimits;
  /** Settles once every batch routed so far has been handed out. */
  handedOut(): Promise<void>;
  /** Settles once every notice committed before the call has been routed (notifier.ts). */
  heardUpToNow(): Promise<void>;
}

class Feed<N extends OrganizationNotice, T, F> {
  readonly #context: FeedContext<N, T, F>;
  readonly #notifier: Notifier;
  /** By organization: a notice wakes, and costs, only its own organization's subscribers. */
  readonly #subscribers = new Map<string, Set<FeedSubscriber<N, T, F>>>();
  #size = 0;
  #stopListening: (() => void) | undefined;
  /** Batches are loaded concurrently but handed out in notice order, along this chain. */
  #handedOut: Promise<void> = Promise.resolve();

  constructor(kind: FeedKind<N, T, F>, options: Required<LiveFeedsOptions>) {
    this.#notifier = options.notifier;
    this.#context = {
      kind,
      db: options.db,
      logger: options.logger,
      limits: options.limits,
      handedOut: () => this.#handedOut,
      heardUpToNow: () => this.#notifier.heardUpToNow(options.db),
    };
  }

  get size(): number {
    return this.#size;
  }

  add(options: SubscribeOptions<F>): FeedSubscriber<N, T, F> {
    const subscriber: FeedSubscriber<N, T, F> = new FeedSubscriber(this.#context, options, () =>
      this.#remove(subscriber),
    );
    let organization = this.#subscribers.get(subscriber.organizationId);
    if (!organization) {
      organization = new Set();
      this.#subscribers.set(subscriber.organizationId, organization);
    }
    organization.add(subscriber);
    this.#size++;
    if (!this.#stopListening) {
      const stopNotices = this.#notifier.listen((notices) => this.#onNotices(notices));
      const stopReconnects = this.#notifier.onReconnect(() => this.#onReconnect());
      this.#stopListening = () => {
        stopNotices();
        stopReconnects();
      };
    }
    return subscriber;
  }

  #remove(subscriber: FeedSubscriber<N, T, F>): void {
    const organization = this.#subscribers.get(subscriber.organizationId);
    if (!organization?.delete(subscriber)) return;
    this.#size--;
    if (organization.size === 0) this.#subscribers.delete(subscriber.organizationId);
    if (this.#size === 0 && this.#stopListening) {
      this.#stopListening();
      this.#stopListening = undefined;
    }
  }

  /** LISTEN is back (and hears again): each subscriber replays what it may have missed. */
  #onReconnect(): void {
    for (const organization of [...this.#subscribers.values()]) {
      for (const subscriber of [...organization]) subscriber.catchUpAfterReconnect();
    }
  }

  /** Runs synchronously inside the notifier's dispatch: routes, starts the load, returns. */
  #onNotices(notices: Notices): void {
    const { kind, db, logger } = this.#context;
    const candidates = kind.select(notices);
    if (candidates.length === 0 || this.#size === 0) return;
    const wanted: N[] = [];
    const indexOf = new Map<N, number>();
    const routes: Array<{ subscriber: FeedSubscriber<N, T, F>; indexes: number[] }> = [];
    for (const [organizationId, ofOrganization] of this.#byOrganization(candidates)) {
      const subscribers = this.#subscribers.get(organizationId);
      if (!subscribers) continue;
      // A copy: a subscriber that falls behind removes itself while we iterate.
      for (const subscriber of [...subscribers]) {
        const indexes: number[] = [];
        for (const notice of ofOrganization) {
          if (!subscriber.matches(notice)) continue;
          if (!subscriber.reserve()) break;
          let index = indexOf.get(notice);
          if (index === undefined) {
            index = wanted.length;
            indexOf.set(notice, index);
            wanted.push(notice);
          }
          indexes.push(index);
        }
        if (indexes.length > 0) routes.push({ subscriber, indexes });
      }
    }
    if (routes.length === 0) return;

    const loading = kind.load(db, wanted, Date.now()).catch((error: unknown) => {
      // The subscribers miss these items; their slots are given back below.
      logger.error({ err: error, feed: kind.name }, 'could not load live feed items');
      return [] as Array<T | undefined>;
    });
    this.#handedOut = this.#handedOut
      .then(() => loading)
      .then((items) => {
        for (const { subscriber, indexes } of routes) {
          for (const index of indexes) subscriber.fill(items[index]);
        }
      })
      .catch((error: unknown) => {
        logger.error({ err: error, feed: kind.name }, 'live feed dispatch failed');
      });
  }

  /** The notices of organizations with subscribers here, grouped by organization, in order. */
  #byOrganization(candidates: readonly N[]): Map<string, N[]> {
    const grouped = new Map<string, N[]>();
    for (const notice of candidates) {
      if (!this.#subscribers.has(notice.organizationId)) continue;
      const group = grouped.get(notice.organizationId);
      if (group) group.push(notice);
      else grouped.set(notice.organizationId, [notice]);
    }
    return grouped;
  }
}

/** A replay under way: live items wait in `held` until it is over. */
interface Replay<T> {
  held: T[];
  /** The connection came back again meanwhile: read once more before letting `held` through. */
  again: boolean;
}

/**
 * One subscription's end of a feed: a bounded queue and an async iterator over it. Written by
 * hand rather than as an async generator, because a generator waiting for its next item cannot
 * be returned until that item comes, and its listener would stay behind.
 */
class FeedSubscriber<N extends OrganizationNotice, T, F>
  implements AsyncIterableIterator<LiveItem<T>>
{
  readonly organizationId: string;
  readonly #filter: F;
  readonly #feed: FeedContext<N, T, F>;
  readonly #capacity: number;
  readonly #detach: () => void;
  #buffered: T[] = [];
  /** Items routed to this subscriber whose rows are still loading. */
  #loading = 0;
  /** The greatest position handed to the client: a replay starts after it. */
  #position: string;
  #replay: Replay<T> | undefined;
  /**
   * What the last replay handed out (key → version), against live items that show the same rows
   * as of the same change or an older one: they would repeat it, or take it back.
   */
  #replayed: Map<string, string> | undefined;
  /** A replay waiting for the client to pull what the previous page gave. */
  #onDrained: (() => void) | undefined;
  /** Pending `next()` calls, oldest first (there is at most one when graphql-js consumes). */
  #waiting: Array<(result: IteratorResult<LiveItem<T>>) => void> = [];
  #ended: LiveEnd | undefined;
  #detached = false;
  #done = false;

  constructor(feed: FeedContext<N, T, F>, options: SubscribeOptions<F>, detach: () => void) {
    this.organizationId = options.organizationId;
    this.#filter = options.filter;
    this.#feed = feed;
    this.#capacity = Math.max(1, options.bufferSize);
    this.#detach = detach;
    this.#position = options.after ?? feed.kind.positionAt(Date.now());
    // Live items wait from the start: they may come before the rows `after` asks for.
    if (options.after != null) this.#replay = { held: [], again: false };
  }

  matches(notice: N): boolean {
    return this.#feed.kind.matches(this.#filter, notice);
  }

  /** Keeps a slot for an item about to be loaded; false (and the subscription ends) when full. */
  reserve(): boolean {
    if (this.#detached) return false;
    const held = this.#replay?.held.length ?? 0;
    if (this.#buffered.length + held + this.#loading >= this.#capacity) {
      this.#end(new SlowConsumerError(this.#capacity));
      return false;
    }
    this.#loading++;
    return true;
  }

  /** The item for a slot kept by `reserve`; undefined gives the slot back (row gone). */
  fill(item: T | undefined): void {
    if (this.#detached) return;
    this.#loading--;
    if (item === undefined) return;
    if (this.#replay) this.#replay.held.push(item);
    else this.#deliver(item);
  }

  /** Refuses an `after` the feed cannot replay from: not the organization's, or too far back. */
  async checkResume(after: string): Promise<void> {
    const { kind, db, limits } = this.#feed;
    const time = kind.timeOf(after);
    if (time === undefined) {
      throw new BadUserInputError([
        { field: 'after', message: `not the id of an item of ${kind.name}` },
      ]);
    }
    if (time < Date.now() - limits.maxAgeMs) throw new ResumeTooFarError(limits);
    if (!(await kind.isOwn(db, this.organizationId, after))) {
      throw new BadUserInputError([{ field: 'after', message: `${after} was not found` }]);
    }
    await this.#checkCount();
  }

  /** Replays what came after the position, then lets the held live items through. */
  replay(): void {
    const replay = this.#replay;
    if (!replay) return;
    this.#replayPages(replay).catch((error: unknown) => {
      this.#feed.logger.error(
        { err: error, feed: this.#feed.kind.name },
        'live feed replay failed',
      );
      this.#end(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Notices may have been lost while LISTEN was down: read them back, within the limits. */
  catchUpAfterReconnect(): void {
    if (this.#detached) return;
    if (this.#replay) {
      this.#replay.again = true;
      return;
    }
    const replay: Replay<T> = { held: [], again: false };
    this.#replay = replay;
    this.#checkCount()
      .then(() => this.replay())
      .catch((error: unknown) => {
        this.#end(error instanceof Error ? error : new Error(String(error)));
      });
  }

  next(): Promise<IteratorResult<LiveItem<T>>> {
    const item = this.#buffered.shift();
    if (item !== undefined) {
      if (this.#buffered.length === 0) this.#drained();
      return Promise.resolve({ value: item, done: false });
    }
    const ended = this.#ended;
    if (ended) {
      this.#ended = undefined;
      this.#finish();
      return Promise.resolve({ value: ended, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
    });
  }

  return(): Promise<IteratorResult<LiveItem<T>>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LiveItem<T>> {
    return this;
  }

  async #checkCount(): Promise<void> {
    const { kind, db, limits } = this.#feed;
    const count = await kind.countAfter(db, this.#query(limits.maxItems + 1));
    if (count > limits.maxItems) throw new ResumeTooFarError(limits);
  }

  #query(limit: number): CatchUpQuery<F> {
    return {
      organizationId: this.organizationId,
      filter: this.#filter,
      after: this.#position,
      notBefore: new Date(Date.now() - this.#feed.limits.maxAgeMs),
      limit,
    };
  }

  /** Page by page, each once the client has taken the previous one: memory stays bounded. */
  async #replayPages(replay: Replay<T>): Promise<void> {
    const { kind, db } = this.#feed;
    const pageSize = Math.max(1, Math.min(500, Math.floor(this.#capacity / 2)));
    const replayed = new Map<string, string>();
    do {
      replay.again = false;
      for (;;) {
        await this.#untilDrained();
        if (this.#detached) return;
        const page = await kind.readAfter(db, this.#query(pageSize));
        if (this.#detached) return;
        for (const item of page) {
          replayed.set(kind.keyOf(item), kind.versionOf(item));
          this.#deliver(item);
        }
        if (page.length < pageSize) break;
      }
    } while (replay.again);
    this.#replay = undefined;
    this.#replayed = replayed;
    for (const item of replay.held) this.#deliver(item);
    // The notices of rows the replay read may still be on their way, or loading: skip those
    // it covered until every notice committed before now has been heard and handed out.
    // (A marker that cannot be sent means the database is away: the reconnect replays anyway.)
    void this.#feed
      .heardUpToNow()
      .catch(() => {})
      .then(() => this.#feed.handedOut())
      .then(() => {
        if (this.#replayed === replayed) this.#replayed = undefined;
      });
  }

  #deliver(item: T): void {
    const { kind } = this.#feed;
    const replayed = this.#replayed?.get(kind.keyOf(item));
    if (replayed !== undefined && kind.versionOf(item) <= replayed) return;
    const position = kind.positionOf(item);
    if (position > this.#position) this.#position = position;
    const waiting = this.#waiting.shift();
    if (waiting) waiting({ value: item, done: false });
    else this.#buffered.push(item);
  }

  #untilDrained(): Promise<void> {
    if (this.#buffered.length === 0 || this.#detached) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onDrained = resolve;
    });
  }

  #drained(): void {
    const resolve = this.#onDrained;
    this.#onDrained = undefined;
    resolve?.();
  }

  /** Drops what is buffered (that is the memory to give back) and leaves only the reason. */
  #end(error: Error): void {
    if (this.#detached) return;
    this.#buffered = [];
    this.#loading = 0;
    this.#replay = undefined;
    this.#leaveFeed();
    const ended = new LiveEnd(error);
    const waiting = this.#waiting.shift();
    if (waiting) {
      // Only possible with slots still loading: the client kept up, this process did not.
      waiting({ value: ended, done: false });
      this.#finish();
    } else {
      this.#ended = ended;
    }
  }

  #leaveFeed(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#detach();
    this.#drained();
  }

  #finish(): void {
    this.#done = true;
    this.#buffered = [];
    this.#leaveFeed();
    for (const waiting of this.#waiting.splice(0)) waiting({ value: undefined, done: true });
  }
}
