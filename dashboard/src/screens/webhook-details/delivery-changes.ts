import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * Reloads a section's query after each burst of changes counted by useDeliveryChanges; with
 * `atMostEveryMs`, no sooner than that after its last reload (a later one catches up).
 */
export function useReloadOnChanges(
  changes: number,
  query: { reload(): Promise<void> },
  atMostEveryMs = 0,
): void {
  // The query object is new on every render: a deferred reload uses the latest one.
  const latest = useRef(query);
  latest.current = query;
  const last = useRef(0);
  const deferred = useRef<ReturnType<typeof setTimeout>>(undefined);
  // Only a new count reloads.
  useEffect(() => {
    if (changes === 0 || deferred.current) return;
    const reload = () => {
      deferred.current = undefined;
      last.current = Date.now();
      void latest.current.reload();
    };
    const wait = last.current + atMostEveryMs - Date.now();
    if (wait <= 0) reload();
    else deferred.current = setTimeout(reload, wait);
  }, [changes]);
  useEffect(() => () => clearTimeout(deferred.current), []);
}
