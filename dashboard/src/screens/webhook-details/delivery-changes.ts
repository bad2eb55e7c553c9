import { useEffect, useState } from 'preact/hooks';
import {
  DashboardDeliveryUpdatedDocument,
  type DashboardDeliveryUpdatedSubscription,
} from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';

/** How long the sections wait after a delivery changed before they reload. */
const RELOAD_DELAY_MS = 250;

/**
 * Counts the changes the server announces to this webhook's deliveries (deliveryUpdated), a
 * moment after each burst, so that the sections reading them reload once per burst.
 */
export function useDeliveryChanges(webhookId: string): number {
  const { live } = useSession();
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.client.subscribe<DashboardDeliveryUpdatedSubscription>(
      { query: DashboardDeliveryUpdatedDocument.toString(), variables: { webhookId } },
      {
        next: () => {
          clearTimeout(timer);
          timer = setTimeout(() => setChanges((n) => n + 1), RELOAD_DELAY_MS);
        },
        // A lost feed only means no automatic refresh: the Refresh buttons still work.
        error: () => {},
        complete: () => {},
      },
    );
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [live, webhookId]);
  return changes;
}

/** Reloads a section's query after each burst of changes counted by useDeliveryChanges. */
export function useReloadOnChanges(changes: number, query: { reload(): Promise<void> }): void {
  // Only a new count reloads: the query object is new on every render.
  useEffect(() => {
    if (changes > 0) void query.reload();
  }, [changes]);
}
