import type { DeliveryAttempt } from './delivery-attempt.ts';

/** Beyond this many, the oldest unclaimed attempts are forgotten. */
const CAPACITY = 5_000;

/**
 * Attempts this process has just recorded, kept until its live feed claims them. When the
 * worker and the subscribers share a process (the default role, `all`), the feed then need not
 * read back what the worker wrote a moment earlier: one query less per settlement batch, which
 * was most of what the first subscriber cost. Each attempt is claimed at most once (a batch of
 * notices is loaded once per process), and an attempt nobody claims (no subscriber wanted it)
 * is dropped once a few thousand newer ones have come. Anything not here is read from the
 * database as before, so an API process apart from the workers behaves as it always did.
 * One per running Hookline, built in src/app.ts and handed to the worker, the call-setup lane
 * and the attempts feed.
 */
export class RecentAttempts {
  readonly #byId = new Map<string, DeliveryAttempt>();

  /** Called before the attempts commit: their notices go out with the commit, so never earlier. */
  remember(attempts: Iterable<DeliveryAttempt>): void {
    for (const attempt of attempts) this.#byId.set(attempt.id, attempt);
    for (const id of this.#byId.keys()) {
      if (this.#byId.size <= CAPACITY) break;
      this.#byId.delete(id);
    }
  }

  claim(id: string): DeliveryAttempt | undefined {
    const attempt = this.#byId.get(id);
    if (attempt) this.#byId.delete(id);
    return attempt;
  }

  get size(): number {
    return this.#byId.size;
  }
}
