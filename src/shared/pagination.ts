import type { SelectQueryBuilder } from 'kysely';

/** What `resolveCursorConnection` asks of a query (its `limit` already includes a probe row). */
export interface PageRequest {
  before?: string;
  after?: string;
  limit: number;
  inverted: boolean;
}

/**
 * Pages any query over an id column. Our ids sort in creation order and are unique, so the id
 * alone is a stable cursor; `inverted` (paging backwards with `last`) reads in reverse.
 */
// biome-ignore lint/suspicious/noExplicitAny: generic over every table that has an id column.
export function paginateById<QB extends SelectQueryBuilder<any, any, any>>(
  query: QB,
  idColumn: string,
  page: PageRequest,
): QB {
  let q = query;
  if (page.after) q = q.where(idColumn, '>', page.after) as QB;
  if (page.before) q = q.where(idColumn, '<', page.before) as QB;
  return q.orderBy(idColumn, page.inverted ? 'desc' : 'asc').limit(page.limit) as QB;
}

export const PAGE_SIZE = { defaultSize: 20, maxSize: 100 } as const;
