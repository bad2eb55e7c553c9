import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getOperationAST, parse } from 'graphql';
import { countRootFields, TokenBuckets } from './rate-limit.ts';

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

test('a key may burst a minute of mutations, then goes at the steady rate', () => {
  const time = clock();
  const buckets = new TokenBuckets({ perMinute: 60, now: time.now });
  for (let i = 0; i < 60; i++) assert.deepEqual(buckets.take('key_a'), { allowed: true });
  assert.deepEqual(buckets.take('key_a'), { allowed: false, retryAfterSeconds: 1 });
  time.state.now += 1_000;
  assert.deepEqual(buckets.take('key_a'), { allowed: true });
  assert.deepEqual(buckets.take('key_a'), { allowed: false, retryAfterSeconds: 1 });
});

test('keys have buckets of their own', () => {
  const time = clock();
  const buckets = new TokenBuckets({ perMinute: 2, now: time.now });
  assert.equal(buckets.take('key_a', 2).allowed, true);
  assert.equal(buckets.take('key_a').allowed, false);
  assert.equal(buckets.take('key_b').allowed, true);
});

test('the retry hint is the time until enough tokens are back, in whole seconds', () => {
  const time = clock();
  const buckets = new TokenBuckets({ perMinute: 6, now: time.now }); // one token every 10 s
  assert.equal(buckets.take('key_a', 6).allowed, true);
  assert.deepEqual(buckets.take('key_a', 3), { allowed: false, retryAfterSeconds: 30 });
  time.state.now += 25_000;
  assert.deepEqual(buckets.take('key_a', 3), { allowed: false, retryAfterSeconds: 5 });
  time.state.now += 5_000;
  assert.equal(buckets.take('key_a', 3).allowed, true);
});

test('a request of more mutations than a bucket holds passes once the bucket is full', () => {
  const time = clock();
  const buckets = new TokenBuckets({ perMinute: 5, now: time.now });
  assert.equal(buckets.take('key_a', 50).allowed, true);
  assert.deepEqual(buckets.take('key_a', 50), { allowed: false, retryAfterSeconds: 60 });
});

test('buckets that are full again are forgotten, so memory follows active keys', () => {
  const time = clock();
  const buckets = new TokenBuckets({ perMinute: 60, now: time.now });
  for (let i = 0; i < 100; i++) buckets.take(`key_${i}`);
  assert.equal(buckets.size, 100);
  time.state.now += 61_000;
  buckets.take('key_new');
  assert.equal(buckets.size, 1);
});

test('each root field of a mutation counts, through fragments', () => {
  const document = parse(`
    mutation M {
      a: createAgent(input: { name: "a" }) { agent { id } }
      ... on Mutation { b: createAgent(input: { name: "b" }) { agent { id } } }
      ...More
    }
    fragment More on Mutation { c: createAgent(input: { name: "c" }) { agent { id } } ...More }
  `);
  assert.equal(countRootFields(document, getOperationAST(document, 'M')!), 3);
});
