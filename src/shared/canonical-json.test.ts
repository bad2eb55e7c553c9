import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH } from '../graphql/scalars.ts';
import { canonicalJson } from './canonical-json.ts';

test('objects with the same entries in another order have the same text, at any depth', () => {
  const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } };
  const b = { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson(a), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
});

test('different values, array order, and types give different texts', () => {
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 2 }));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  assert.notEqual(canonicalJson({ a: '1' }), canonicalJson({ a: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 1, b: null }));
});

test('objects without a prototype (GraphQL literals) read like any other', () => {
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
  assert.equal(canonicalJson(bare), canonicalJson({ a: 1, b: 2 }));
});

test('a value nested as deep as the JSON scalar allows', () => {
  let deep: unknown = 1;
  for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = { z: deep, a: i };
  assert.ok(canonicalJson(deep).startsWith(`{"a":${MAX_JSON_DEPTH - 1},"z":{"a":`));
});
