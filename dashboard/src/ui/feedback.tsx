import type { ComponentChildren } from 'preact';
import type { ErrorView } from '../errors.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A request's failure, announced to screen readers, with a way to try again. */
export function ErrorMessage({ error, retry }: { error: ErrorView; retry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" class="button small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/**
 * What a query's part of a page shows: its failure with a retry while there is nothing to show,
 * then a loading line until `data` is there, then `empty` if given (a list with no rows), else
 * the content. A failed reload keeps the content on screen.
 */
export function Loaded<T>({
  query,
  data,
  what,
  empty,
  children,
}: {
  query: { error: ErrorView | undefined; reload(): Promise<void> };
  data: T | null | undefined;
  what: string;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  if (query.error && data == null) {
    return <ErrorMessage error={query.error} retry={() => void query.reload()} />;
  }
  if (data == null) return <Loading what={what} />;
  if (empty) return <EmptyState>{empty}</EmptyState>;
  return <>{children(data)}</>;
}
