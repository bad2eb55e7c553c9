import type { ComponentChildren } from 'preact';
import type { ErrorView } from '../errors.ts';
import { LoadMoreButton } from './buttons.tsx';
import { Loaded } from './feedback.tsx';

export interface Column<Row> {
  /** The column's header, and the label its cells show before their content on a phone. */
  label: string;
  /** Headed for screen readers only, and its cells show no label (a row's buttons). */
  labelHidden?: boolean;
  cell: (row: Row) => ComponentChildren;
  /** Further attributes of a cell: a class, or data for the tests to find it by. */
  cellProps?: (row: Row) => Record<string, string>;
}

interface TableProps<Row> {
  caption: ComponentChildren;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Attributes of a row: data for the tests to find it by, a class. */
  rowProps?: (row: Row) => Record<string, string>;
  class?: string;
  testId?: string;
}

/**
 * A table that becomes a list of cards on narrow screens (`responsive`): each cell carries its
 * column's label. The caption is for screen readers, the page's heading already says it.
 */
export function Table<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
  class: className,
  testId,
}: TableProps<Row>) {
  return (
    <table class={`table responsive${className ? ` ${className}` : ''}`} data-testid={testId}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col">
              {column.labelHidden ? (
                <span class="visually-hidden">{column.label}</span>
              ) : (
                column.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((column) => (
              <td
                key={column.label}
                data-label={column.labelHidden ? undefined : column.label}
                {...column.cellProps?.(row)}
              >
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A muted "None" where a cell has nothing to show. */
export function None({ text = 'None' }: { text?: string }) {
  return <span class="muted">{text}</span>;
}

/** A cell's short list (the agents of a webhook, the webhooks of an agent), or "None". */
export function CellList<Item>({
  items,
  itemKey,
  children,
}: {
  items: readonly Item[];
  itemKey: (item: Item) => string;
  children: (item: Item) => ComponentChildren;
}) {
  if (items.length === 0) return <None />;
  return (
    <ul class="plain">
      {items.map((item) => (
        <li key={itemKey(item)}>{children(item)}</li>
      ))}
    </ul>
  );
}

/**
 * A list the user pages through (usePagedList), as a table: while it loads, fails or is empty, a
 * line that says so; then its rows, and a button for more while the server has more.
 */
export function PagedTable<Row>({
  list,
  what,
  empty,
  loadMoreLabel,
  ...table
}: Omit<TableProps<Row>, 'rows'> & {
  list: {
    query: { data: unknown; error: ErrorView | undefined; reload(): Promise<void> };
    rows: Row[];
    more: boolean;
    loadMore(): Promise<void>;
  };
  /** What the loading line says is loading: `agents`. */
  what: string;
  /** What the list says when it has no rows. */
  empty: ComponentChildren;
  loadMoreLabel: string;
}) {
  return (
    <Loaded
      query={list.query}
      data={list.query.data}
      what={what}
      empty={list.rows.length === 0 && empty}
    >
      {() => (
        <>
          <Table {...table} rows={list.rows} />
          <LoadMoreButton list={list} label={loadMoreLabel} />
        </>
      )}
    </Loaded>
  );
}
