/**
 * An endpoint is disabled when every attempt has failed for a whole window (Svix and Stripe do
 * the same): long enough to ride out an outage, short enough not to queue work forever.
 */
export function shouldDisable(
  failingSince: Date | null,
  now: Date,
  windowSeconds: number,
): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= windowSeconds * 1000;
}

export function disabledReason(failingSince: Date, now: Date): string {
  const hours = Math.round((now.getTime() - failingSince.getTime()) / 36_000) / 100;
  return `Disabled automatically: every delivery attempt failed since ${failingSince.toISOString()} (${hours} h)`;
}
