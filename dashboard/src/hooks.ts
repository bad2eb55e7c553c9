import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../generated/graphql.ts';
import { useSession } from './context.ts';
import { describeError, type ErrorView } from './errors.ts';
import type { LiveStatus } from './live-client.ts';
import { parseRoute, type Route } from './router.ts';

export interface QueryState<R> {
  data: R | undefined;
  error: ErrorView | undefined;
  loading: boolean;
  /** Fetches again; the current data stays on screen meanwhile. */
  reload(): Promise<void>;
  /** Replaces the data in place, e.g. with a mutation's result. */
  setData(update: (current: R) => R): void;
}

/**
 * Runs a query when the screen mounts and whenever its variables change. An answer to an older
 * request never overwrites a newer one.
 */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables: V): QueryState<R> {
  const { api } = useSession();
  const [data, setData] = useState<R | undefined>(undefined);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const key = JSON.stringify(variables);
  const load = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const result = await api.request(document, ...([variables] as never));
      if (ticket !== latest.current) return;
      setData(result as R);
      setError(undefined);
    } catch (failure) {
      if (ticket !== latest.current) return;
      setError(describeError(failure));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [api, document, key]);

  useEffect(() => {
    void load();
  }, [load]);

  return {
    data,
    error,
    loading,
    reload: load,
    setData: (update) => setData((current) => (current === undefined ? current : update(current))),
  };
}

/** The current hash route, following back/forward and link clicks. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Hookline`;
  }, [title]);
}

/**
 * A mutation's pending flag and error, for a form or a button. `run` resolves to the result,
 * or to undefined after showing the failure (in the form, or as a notice).
 */
export interface Action {
  pending: boolean;
  error: ErrorView | undefined;
  run<T>(action: () => Promise<T>, options?: { notifyErrors?: boolean }): Promise<T | undefined>;
  clearError(): void;
}

export function useAction(): Action {
  const { notify } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ErrorView | undefined>(undefined);
  const run = async <T>(action: () => Promise<T>, options: { notifyErrors?: boolean } = {}) => {
    setPending(true);
    setError(undefined);
    try {
      return await action();
    } catch (failure) {
      const view = describeError(failure);
      setError(view);
      if (options.notifyErrors) notify('error', view.message);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { pending, error, run, clearError: () => setError(undefined) };
}

/** The state of the session's WebSocket, kept current. */
export function useLiveStatus(): LiveStatus {
  const { live } = useSession();
  const [status, setStatus] = useState(live.status());
  useEffect(() => {
    setStatus(live.status());
    return live.onStatus(setStatus);
  }, [live]);
  return status;
}
