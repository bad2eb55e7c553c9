import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { SlowConsumerError } from '../shared/errors.ts';
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
 */

export const DEFAULT_SUBSCRIPTION_BUFFER = 1_000;

/** What every notice a feed follows carries: the organization it belongs to. */
export interface OrganizationNotice {
  organizationId: string;
}

/** One kind of live feed: which notices it follows and how it turns them into items. */
export interface FeedKind<N extends OrganizationNotice, T> {
  name: string;
  /** The notices of this kind in a batch. */
  select(notices: Notices): readonly N[];
  /**
   * Loads the items of the given notices (every notice of one batch that some subscriber in this
   * process wants), in one query: one entry per notice, in order, undefined when its row is gone.
   */
  load(
    db: Kysely<Database>,
    notices: readonly N[],
    notifier: Notifier,
  ): Promise<ReadonlyArray<T | undefined>>;
}

/** What a subscriber receives: an item, or, last of all, the reason it was ended. */
export type LiveItem<T> = T | SlowConsumerError;

/** For a subscription field's `resolve`: the item itself, or the GraphQL error that ends it. */
export function unwrapLiveItem<T>(item: LiveItem<T>): T {
  if (item instanceof SlowConsumerError) throw item;
  return item;
}

export interface SubscribeOptions<N> {
  notifier: Notifier;
  db: Kysely<Database>;
  logger: Logger;
  organizationId: string;
  /** The subscriber's filter, on the notice alone (the organization is already checked). */
  matches: (notice: N) => boolean;
  /** Most items waiting for the client before the subscription is ended. */
  bufferSize: number;
}

/**
 * Subscribes to a feed. The returned iterator is registered at once (a notice published after
 * this call returns reaches it), and `return()` unregisters it at once.
 */
export function subscribeToFeed<N extends OrganizationNotice, T>(
  kind: FeedKind<N, T>,
  options: SubscribeOptions<N>,
): AsyncIterableIterator<LiveItem<T>> {
  const feed = feedOf(kind, options);
  const subscriber = new FeedSubscriber<N, T>(options, () => feed.remove(subscriber));
  feed.add(subscriber);
  return subscriber;
}

/** Subscribers of every feed of this notifier's process: for tests and metrics. */
export function liveSubscriberCount(notifier: Notifier): number {
  let count = 0;
  for (const feed of feedsByNotifier.get(notifier)?.values() ?? []) count += feed.size;
  return count;
}

/**
 * One feed per kind per notifier, i.e. per running Hookline. A notifier belongs to one Hookline,
 * which has one database, so the first subscriber's `db` and `logger` serve the feed for good.
 */
const feedsByNotifier = new WeakMap<Notifier, Map<object, Feed<never, unknown>>>();

function feedOf<N extends OrganizationNotice, T>(
  kind: FeedKind<N, T>,
  options: SubscribeOptions<N>,
): Feed<N, T> {
  let feeds = feedsByNotifier.get(options.notifier);
  if (!feeds) {
    feeds = new Map();
    feedsByNotifier.set(options.notifier, feeds);
  }
  let feed = feeds.get(kind) as Feed<N, T> | undefined;
  if (!feed) {
    feed = new Feed(kind, options.notifier, options.db, options.logger);
    feeds.set(kind, feed as unknown as Feed<never, unknown>);
  }
  return feed;
}

class Feed<N extends OrganizationNotice, T> {
  readonly #kind: FeedKind<N, T>;
  readonly #notifier: Notifier;
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  /** By organization: a notice wakes, and costs, only its own organization's subscribers. */
  readonly #subscribers = new Map<string, Set<FeedSubscriber<N, T>>>();
  #size = 0;
  #unlisten: (() => void) | undefined;
  /** Batches are loaded concurrently but handed out in notice order, along this chain. */
  #handedOut: Promise<void> = Promise.resolve();

  constructor(kind: FeedKind<N, T>, notifier: Notifier, db: Kysely<Database>, logger: Logger) {
    this.#kind = kind;
    this.#notifier = notifier;
    this.#db = db;
    this.#logger = logger;
  }

  get size(): number {
    return this.#size;
  }

  add(subscriber: FeedSubscriber<N, T>): void {
    let organization = this.#subscribers.get(subscriber.organizationId);
    if (!organization) {
      organization = new Set();
      this.#subscribers.set(subscriber.organizationId, organization);
    }
    if (!organization.has(subscriber)) this.#size++;
    organization.add(subscriber);
    this.#unlisten ??= this.#notifier.listen((notices) => this.#onNotices(notices));
  }

  remove(subscriber: FeedSubscriber<N, T>): void {
    const organization = this.#subscribers.get(subscriber.organizationId);
    if (!organization?.delete(subscriber)) return;
    this.#size--;
    if (organization.size === 0) this.#subscribers.delete(subscriber.organizationId);
    if (this.#size === 0 && this.#unlisten) {
      this.#unlisten();
      this.#unlisten = undefined;
    }
  }

  /** Runs synchronously inside the notifier's dispatch: routes, starts the load, returns. */
  #onNotices(notices: Notices): void {
    const candidates = this.#kind.select(notices);
    if (candidates.length === 0 || this.#size === 0) return;
    const wanted: N[] = [];
    const indexOf = new Map<N, number>();
    const routes: Array<{ subscriber: FeedSubscriber<N, T>; indexes: number[] }> = [];
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

    const loading = this.#kind.load(this.#db, wanted, this.#notifier).catch((error: unknown) => {
      // The subscribers miss these items; their slots are given back below.
      this.#logger.error({ err: error, feed: this.#kind.name }, 'could not load live feed items');
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
        this.#logger.error({ err: error, feed: this.#kind.name }, 'live feed dispatch failed');
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

/**
 * One subscription's end of a feed: a bounded queue and an async iterator over it. Written by
 * hand rather than as an async generator, because a generator waiting for its next item cannot
 * be returned until that item comes, and its listener would stay behind.
 */
class FeedSubscriber<N, T> implements AsyncIterableIterator<LiveItem<T>> {
  readonly organizationId: string;
  readonly matches: (notice: N) => boolean;
  readonly #capacity: number;
  readonly #detach: () => void;
  #buffered: T[] = [];
  /** Items routed to this subscriber whose rows are still loading. */
  #loading = 0;
  /** Pending `next()` calls, oldest first (there is at most one when graphql-js consumes). */
  #waiting: Array<(result: IteratorResult<LiveItem<T>>) => void> = [];
  #fellBehind: SlowConsumerError | undefined;
  #detached = false;
  #done = false;

  constructor(options: SubscribeOptions<N>, detach: () => void) {
    this.organizationId = options.organizationId;
    this.matches = options.matches;
    this.#capacity = Math.max(1, options.bufferSize);
    this.#detach = detach;
  }

  /** Keeps a slot for an item about to be loaded; false (and the subscription ends) when full. */
  reserve(): boolean {
    if (this.#detached) return false;
    if (this.#buffered.length + this.#loading >= this.#capacity) {
      this.#fallBehind();
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
    const waiting = this.#waiting.shift();
    if (waiting) waiting({ value: item, done: false });
    else this.#buffered.push(item);
  }

  next(): Promise<IteratorResult<LiveItem<T>>> {
    const item = this.#buffered.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    const fellBehind = this.#fellBehind;
    if (fellBehind) {
      this.#fellBehind = undefined;
      this.#finish();
      return Promise.resolve({ value: fellBehind, done: false });
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

  /** Drops what is buffered (that is the memory to give back) and leaves only the error. */
  #fallBehind(): void {
    this.#buffered = [];
    this.#loading = 0;
    this.#leaveFeed();
    const error = new SlowConsumerError(this.#capacity);
    const waiting = this.#waiting.shift();
    if (waiting) {
      // Only possible with slots still loading: the client kept up, this process did not.
      waiting({ value: error, done: false });
      this.#finish();
    } else {
      this.#fellBehind = error;
    }
  }

  #leaveFeed(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#detach();
  }

  #finish(): void {
    this.#done = true;
    this.#buffered = [];
    this.#leaveFeed();
    for (const waiting of this.#waiting.splice(0)) waiting({ value: undefined, done: true });
  }
}
