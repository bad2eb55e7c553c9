import { useEffect, useRef, useState } from 'preact/hooks';
import {
  DashboardDeliveryAttemptsDocument,
  type DashboardDeliveryAttemptsSubscription,
  type DashboardDeliveryAttemptsSubscriptionVariables,
  type EventType,
} from '../../../generated/graphql.ts';
import { apiErrorFrom } from '../../api.ts';
import { useSession } from '../../context.ts';
import { describeError } from '../../errors.ts';
import type { LiveFilters } from '../../router.ts';

export type Attempt = DashboardDeliveryAttemptsSubscription['deliveryAttempts'];

/** The feed keeps this many attempts; older ones drop off the bottom. */
const FEED_LIMIT = 200;

export interface AttemptFeed {
  /** Newest first. */
  attempts: Attempt[];
  /** Why the feed is not showing everything, if it is not. */
  problem: string | null;
  paused: boolean;
  /** Attempts that arrived while paused, shown on resume. */
  heldCount: number;
  pause(): void;
  resume(): void;
  clear(): void;
}

/**
 * The delivery attempts matching the filters, over the deliveryAttempts subscription, as they
 * complete. A feed the server ends for falling behind starts again by itself.
 */
export function useAttemptFeed(filters: LiveFilters): AttemptFeed {
  const { live } = useSession();
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const held = useRef<Attempt[]>([]);
  const [heldCount, setHeldCount] = useState(0);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const { webhookId, agentId, eventType } = filters;
  useEffect(() => {
    const variables: DashboardDeliveryAttemptsSubscriptionVariables = {
      webhookId: webhookId ?? null,
      agentId: agentId ?? null,
      eventType: (eventType as EventType | undefined) ?? null,
    };
    let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const subscribe = () => {
      unsubscribe = live.client.subscribe<DashboardDeliveryAttemptsSubscription>(
        { query: DashboardDeliveryAttemptsDocument.toString(), variables: { ...variables } },
        {
          next: (result) => {
            if (result.errors?.length) {
              setProblem(describeError(apiErrorFrom(result.errors, 200)).message);
              return;
            }
            const attempt = result.data?.deliveryAttempts;
            if (!attempt) return;
            if (pausedRef.current) {
              held.current = [attempt, ...held.current].slice(0, FEED_LIMIT);
              setHeldCount(held.current.length);
            } else {
              setAttempts((current) => [attempt, ...current].slice(0, FEED_LIMIT));
            }
          },
          error: (failure) => {
            const errors = Array.isArray(failure) ? failure : [];
            const error = apiErrorFrom(errors, 200);
            if (error.code === 'SLOW_CONSUMER') {
              // The server ended a feed that fell behind: start again, and say what was lost.
              setProblem('The feed fell behind and was restarted: some attempts may be missing.');
              resubscribeTimer = setTimeout(subscribe, 1000);
            } else if (errors.length > 0) {
              setProblem(describeError(error).message);
            }
          },
          complete: () => {},
        },
      );
    };
    // The feed shows what matches the filters: a new filter starts a new feed.
    setProblem(null);
    setAttempts([]);
    held.current = [];
    setHeldCount(0);
    subscribe();
    return () => {
      clearTimeout(resubscribeTimer);
      unsubscribe();
    };
  }, [live, webhookId, agentId, eventType]);

  return {
    attempts,
    problem,
    paused,
    heldCount,
    pause: () => setPaused(true),
    resume: () => {
      setAttempts((current) => [...held.current, ...current].slice(0, FEED_LIMIT));
      held.current = [];
      setHeldCount(0);
      setPaused(false);
    },
    clear: () => setAttempts([]),
  };
}
