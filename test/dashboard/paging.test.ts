import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Connection, followedBy, pageOf } from '../../dashboard/src/paging.ts';

/** The dashboard's paging of Relay connections, which runs in Node as it does in the browser. */
const connection = (
  ids: string[],
  pageInfo: Connection<{ id: string }>['pageInfo'],
): Connection<{ id: string }> => ({ edges: ids.map((id) => ({ node: { id } })), pageInfo });
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

describe('paging', () => {
  it('pages forward in the server order, from the end cursor', () => {
    const page = pageOf(connection(['a', 'b'], { hasNextPage: true, endCursor: 'b' }), 'forward');
    assert.deepEqual(ids(page.rows), ['a', 'b']);
    assert.equal(page.cursor, 'b');
    assert.equal(page.more, true);
  });

  it('pages backward newest first, from the start cursor', () => {
    const page = pageOf(
      connection(['c', 'd'], { hasPreviousPage: true, startCursor: 'c', hasNextPage: false }),
      'backward',
    );
    assert.deepEqual(ids(page.rows), ['d', 'c']);
    assert.equal(page.cursor, 'c');
    assert.equal(page.more, true);
  });

  it('reads a missing connection or page info as one empty, final page', () => {
    assert.deepEqual(pageOf(undefined, 'forward'), { rows: [], cursor: null, more: false });
    assert.deepEqual(pageOf({ edges: [{ node: { id: 'a' } }] }, 'backward'), {
      rows: [{ id: 'a' }],
      cursor: null,
      more: false,
    });
  });

  it('appends the next page, leaving out rows already shown, and takes its cursor', () => {
    const shown = pageOf(
      connection(['a', 'b', 'new'], { hasNextPage: true, endCursor: 'b' }),
      'forward',
    );
    const next = pageOf(
      connection(['c', 'new'], { hasNextPage: false, endCursor: 'new' }),
      'forward',
    );
    const both = followedBy(shown, next);
    assert.deepEqual(ids(both.rows), ['a', 'b', 'new', 'c']);
    assert.equal(both.cursor, 'new');
    assert.equal(both.more, false);
  });
});
