import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { schema } from '../graphql/schema.ts';
import { GRAPHIQL_DEFAULT_QUERY } from './graphiql.ts';

test('the example operations GraphiQL opens with are valid against the schema', () => {
  const errors = validate(schema, parse(GRAPHIQL_DEFAULT_QUERY));
  assert.deepEqual(
    errors.map((e) => e.message),
    [],
  );
});
