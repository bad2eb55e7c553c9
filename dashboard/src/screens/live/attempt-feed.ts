import { useEffect, useRef, useState } from 'preact/hooks';
import {
  DashboardDeliveryAttemptsDocument,
  type DashboardDeliveryAttemptsSubscription,
  type DashboardDeliveryAttemptsSubscriptionVariables,
  type EventType,
} from '../../../generated/graphql.ts';
import { apiErrorFrom, type GraphQLErrorShape } from '../../api.ts';
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
 * complete. It resumes by itself, without a gap, after a lost connection or after the server
 * ended it for falling behind (the server replays up to an hour and 10,000 attempts).
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
    /** The greatest attempt id received: a feed started again resumes after it. */
    let lastId: string | null = null;
    /** The server ended the feed: start it again where that can help, else say why. */
    const onEnded = (errors: readonly GraphQLErrorShape[]) => {
      const error = apiErrorFrom(errors, 200);
      if (error.code === 'SLOW_CONSUMER') {
        // It fell behind: start again after the last attempt, which replays what was dropped.
        resubscribeTimer = setTimeout(subscribe, 1000);
      } else if (error.code === 'RESUME_TOO_FAR') {
        // Too much came meanwhile to replay: start from now, and say what was lost.
        setProblem('The feed was away too long to catch up: some attempts may be missing.');
        lastId = null;
        resubscribeTimer = setTimeout(subscribe, 1000);
      } else if (errors.length > 0) {
        setProblem(describeError(error).message);
      }
    };
    const subscribe = () => {
      // graphql-ws sends this same request again when it reconnects: with `after` kept up to
      // date in it, the server first replays what came meanwhile, and nothing is lost.
      const request = {
        query: DashboardDeliveryAttemptsDocument.toString(),
        variables: { ...variables, after: lastId },
      };
      unsubscribe = live.client.subscribe<DashboardDeliveryAttemptsSubscription>(request, {
        next: (result) => {
          if (result.errors?.length) {
            onEnded(result.errors);
            return;
          }
          const attempt = result.data?.deliveryAttempts;
          if (!attempt) return;
          if (lastId === null || attempt.id > lastId) {
            lastId = attempt.id;
            request.variables.after = lastId;
          }
          if (pausedRef.current) {
            held.current = [attempt, ...held.current].slice(0, FEED_LIMIT);
            setHeldCount(held.current.length);
          } else {
            setAttempts((current) => [attempt, ...current].slice(0, FEED_LIMIT));
          }
        },
        error: (failure) => onEnded(Array.isArray(failure) ? failure : []),
        complete: () => {},
      });
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
