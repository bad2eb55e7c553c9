import type { ComponentChildren } from 'preact';

export interface Column<Row> {
  /** The column's header, and the label its cells show before their content on a phone. */
  label: string;
  /** Headed for screen readers only, and its cells show no label (a row's buttons). */
  labelHidden?: boolean;
  cell: (row: Row) => ComponentChildren;
  /** Further attributes of a cell: a class, or data for the tests to find it by. */
  cellProps?: (row: Row) => Record<string, string>;
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
}: {
  caption: ComponentChildren;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Attributes of a row: data for the tests to find it by, a class. */
  rowProps?: (row: Row) => Record<string, string>;
  class?: string;
  testId?: string;
}) {
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
