export interface RoundResult {
  count: number;
  elapsedMs: number;
  /** Requests the receiver saw during the round (the ledger). */
  received: number;
}

export const throughput = (r: RoundResult): number => (r.count / r.elapsedMs) * 1000;
