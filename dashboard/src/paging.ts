import { useEffect, useState } from 'preact/hooks';
import type { TypedDocumentString } from '../generated/graphql.ts';
import { useSession } from './context.ts';
import { describeError } from './errors.ts';
import { type QueryState, useQuery } from './hooks.ts';

/** A Relay connection as the dashboard's documents select it. */
export interface Connection<Node> {
  edges: readonly { node: Node }[];
  /** Absent where a document asks for one page only. */
  pageInfo?: {
    hasNextPage?: boolean;
    endCursor?: string | null;
    hasPreviousPage?: boolean;
    startCursor?: string | null;
  };
}

/**
 * Which way a list pages. Connections are oldest first: `forward` shows them so and asks for
 * more `after` the last; `backward` starts from the newest page (`last`), shows it newest first
 * and asks for older ones `before` the first.
 */
export type PagingDirection = 'forward' | 'backward';

/** Rows in the order shown, and where the next page starts. */
export interface Page<Node> {
  rows: Node[];
  cursor: string | null;
  more: boolean;
}

export function pageOf<Node>(
  connection: Connection<Node> | null | undefined,
  direction: PagingDirection,
): Page<Node> {
  const nodes = connection?.edges.map((edge) => edge.node) ?? [];
  const info = connection?.pageInfo;
  return direction === 'forward'
    ? { rows: nodes, cursor: info?.endCursor ?? null, more: info?.hasNextPage ?? false }
    : {
        rows: nodes.reverse(),
        cursor: info?.startCursor ?? null,
        more: info?.hasPreviousPage ?? false,
      };
}

/** The page after `shown`: its rows follow, but for any already shown (added meanwhile). */
export function followedBy<Node extends { id: string }>(
  shown: Page<Node>,
  next: Page<Node>,
): Page<Node> {
  const ids = new Set(shown.rows.map((row) => row.id));
  return {
    rows: [...shown.rows, ...next.rows.filter((row) => !ids.has(row.id))],
    cursor: next.cursor,
    more: next.more,
  };
}

/** Where a query's data holds the list, and how to put a changed list back. */
export interface ListLens<R, Node> {
  get(data: R): Connection<Node> | null | undefined;
  set(data: R, edges: { node: Node }[]): R;
}

export interface PagedList<R, Node> {
  /** The first page's query: reload it, read its error, change its other data. */
  query: QueryState<R>;
  /** Every row loaded so far, in the order shown. */
  rows: Node[];
  /** Whether the server has more rows than those loaded. */
  more: boolean;
  loadMore(): Promise<void>;
  /** Adds a row the user just created at the end of the first page. */
  addRow(row: Node): void;
  /** Replaces a row (or removes it, for null) wherever it is loaded. */
  updateRow(id: string, update: (row: Node) => Node | null): void;
}

/**
 * A list the user pages through with a "load more" button: the first page is a query (reloaded
 * with it), the pages loaded after it are kept until the variables change.
 */
export function usePagedList<R, V extends object, Node extends { id: string }>(
  document: TypedDocumentString<R, V>,
  variables: V,
  direction: PagingDirection,
  lens: ListLens<R, Node>,
): PagedList<R, Node> {
  const { api, notify } = useSession();
  const query = useQuery(document, variables);
  const [later, setLater] = useState<Page<Node>>();
  const key = JSON.stringify(variables);
  useEffect(() => setLater(undefined), [key]);

  const first = pageOf(query.data === undefined ? undefined : lens.get(query.data), direction);
  const shown = later ? followedBy(first, later) : first;

  const loadMore = async () => {
    if (!shown.cursor) return;
    const position = direction === 'forward' ? { after: shown.cursor } : { before: shown.cursor };
    try {
      // The documents of paged lists take `after` or `before` beside their other variables.
      const data = await api.request(document, ...([{ ...variables, ...position }] as never));
      const next = pageOf(lens.get(data), direction);
      setLater((current) => followedBy(current ?? { ...next, rows: [] }, next));
    } catch (error) {
      notify('error', describeError(error).message);
    }
  };

  const edit = (update: (rows: Node[]) => Node[]) =>
    query.setData((data) => {
      const nodes = lens.get(data)?.edges.map((edge) => edge.node) ?? [];
      return lens.set(
        data,
        update(nodes).map((node) => ({ node })),
      );
    });
  const apply = (rows: Node[], id: string, update: (row: Node) => Node | null) =>
    rows.flatMap((row) => {
      if (row.id !== id) return [row];
      const next = update(row);
      return next ? [next] : [];
    });

  return {
    query,
    rows: shown.rows,
    more: shown.more,
    loadMore,
    addRow: (row) => edit((rows) => [...rows, row]),
    updateRow: (id, update) => {
      edit((rows) => apply(rows, id, update));
      setLater((current) => current && { ...current, rows: apply(current.rows, id, update) });
    },
  };
}
