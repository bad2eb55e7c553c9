import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnstorableText, textProblem } from './unstorable-text.ts';

test('well-formed text passes, surrogate pairs (emoji) included', () => {
  for (const text of ['', 'plain', 'Grüße', '😀 call', '\ud83d\ude00', 'tab\tand\nnewline']) {
    assert.equal(textProblem(text), undefined, JSON.stringify(text));
  }
});

test('NUL and unpaired surrogates, anywhere in the text, are named', () => {
  assert.equal(textProblem('a\u0000b'), 'nul');
  for (const text of ['\ud800', 'x\udfff', 'end\ud83d', '\ude00\ud83d', 'a\udc00b']) {
    assert.equal(textProblem(text), 'not-unicode', JSON.stringify(text));
  }
});

test('the path leads to the first bad value or key, through arrays', () => {
  assert.equal(findUnstorableText({ a: [1, 'ok', { b: 'fine' }] }), undefined);
  assert.deepEqual(findUnstorableText({ a: [1, 'ok', { b: 'x\ud800' }] }), {
    path: ['a', '2', 'b'],
    problem: 'not-unicode',
  });
  assert.deepEqual(findUnstorableText({ ok: 1, 'k\u0000': 2 }), {
    path: ['k\u0000'],
    problem: 'nul',
  });
  assert.deepEqual(findUnstorableText('\udc00'), { path: [], problem: 'not-unicode' });
});

test('a value nested ten thousand levels deep is walked without recursion', () => {
  let deep: unknown = '\ud800';
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const found = findUnstorableText(deep);
  assert.equal(found?.path.length, 10_000);
  assert.equal(found?.problem, 'not-unicode');
});
