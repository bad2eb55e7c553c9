/** What one item of a batch came to: its value, or the error only that item gets. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, O> {
  /** Writes a batch; one outcome per item, in order. A throw fails every item of the batch. */
  write(items: I[]): Promise<ItemOutcome<O>[]>;
  /** Most items in one batch. */
  maxItems: number;
  /** Most total weight (bytes, say) in one batch; an item heavier than this goes alone. */
  maxWeight?: number;
  weigh?: (item: I) => number;
}

/**
 * Group commit. A call made while nothing is being written is written at once, alone; calls
 * made while a batch is being written wait for it and then go together, in one batch. Under
 * light load this adds no wait; under heavy load each batch costs one transaction for many
 * callers, which is where the round trips (and so the time) go.
 */
export function createGroupCommit<I, O>(
  options: GroupCommitOptions<I, O>,
): (item: I) => Promise<O> {
  const weigh = options.weigh ?? (() => 0);
  const maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  let waiting: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> =
    [];
  let writing = false;

  const takeBatch = () => {
    let weight = 0;
    let count = 0;
    while (count < waiting.length && count < options.maxItems) {
      weight += weigh(waiting[count]!.item);
      if (count > 0 && weight > maxWeight) break;
      count++;
    }
    const batch = waiting.slice(0, count);
    waiting = waiting.slice(count);
    return batch;
  };

  const drain = async () => {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = takeBatch();
        try {
          const outcomes = await options.write(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => {
            const outcome = outcomes[i];
            if (!outcome) entry.reject(new Error('group commit: no outcome for an item'));
            else if (outcome.ok) entry.resolve(outcome.value);
            else entry.reject(outcome.error);
          });
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
