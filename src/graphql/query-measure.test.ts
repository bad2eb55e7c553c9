import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { LIST_MULTIPLIER, measureDocument } from './query-measure.ts';
import { schema } from './schema.ts';

const measure = (query: string) => measureDocument(schema, parse(query));

test('leaves cost 1 each; depth counts nested fields', () => {
  assert.deepEqual(measure('{ __typename organization { id name } }'), {
    depth: 2,
    cost: 4,
    aliases: 0,
    directives: 0,
  });
});

test('connections multiply their edges by the page asked for', () => {
  const edges = (first: string) => `{ agents${first} { edges { node { id name } } } }`;
  // agents 1 + edges (1 + page × (node 1 + 2))
  assert.equal(measure(edges('(first: 5)')).cost, 1 + 1 + 5 * 3);
  assert.equal(measure(edges('')).cost, 1 + 1 + 20 * 3, 'the default page');
  assert.equal(measure(edges('(first: 100000)')).cost, 1 + 1 + 100 * 3, 'at most the largest');
  const variable = measureDocument(
    schema,
    parse('query($n: Int) { agents(first: $n) { edges { node { id name } } } }'),
  );
  assert.equal(variable.cost, 1 + 1 + 100 * 3, 'a variable may ask for the largest page');
});

test('other lists multiply their selection by LIST_MULTIPLIER, introspection included', () => {
  assert.equal(measure('{ eventTypes { name type } }').cost, 1 + LIST_MULTIPLIER * 2);
  assert.equal(
    measure('{ __schema { types { fields { name } } } }').cost,
    1 + 1 + LIST_MULTIPLIER * (1 + LIST_MULTIPLIER),
  );
});

test('fragments count where they are spread; aliases and directives as written', () => {
  const measured = measure(`
    query { a: organization { ...Org } b: organization { ...Org @include(if: true) } }
    fragment Org on Organization { id name @skip(if: false) }
  `);
  assert.deepEqual(measured, { depth: 2, cost: 6, aliases: 2, directives: 2 });
});

test('a fragment bomb is measured in linear time, with its exponential cost', () => {
  const levels = 40;
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i + 1} on Organization { ...F${i} ...F${i} }`,
  );
  const document = `{ organization { ...F${levels} } } fragment F0 on Organization { id } ${fragments.join(' ')}`;
  const measured = measure(document);
  assert.equal(measured.cost, 1 + 2 ** levels);
});

test('cyclic fragments and unknown fields do not break the measure', () => {
  const measured = measure(
    '{ organization { ...A nope { deeper } } } fragment A on Organization { id ...B } fragment B on Organization { ...A }',
  );
  assert.deepEqual(measured, { depth: 3, cost: 4, aliases: 0, directives: 0 });
});
