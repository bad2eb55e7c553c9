import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVENT_TYPES, payloadJsonSchema } from '../../src/event-types/event-types.ts';

/**
 * docs/operational-webhooks.md shows the JSON Schema of every operational event's payload: each
 * block after a `<!-- JSON Schema of <wire name> -->` comment must be the catalog's schema.
 */
const PAGE = readFileSync(join(import.meta.dirname, '../../docs/operational-webhooks.md'), 'utf8');

test('the operational events documented are the catalog’s, with its schemas', () => {
  const documented = new Map(
    [...PAGE.matchAll(/<!-- JSON Schema of (\S+) -->\n```json\n([\s\S]*?)\n```/g)].map(
      ([, wire, json]) => [wire!, JSON.parse(json!) as unknown],
    ),
  );
  const operational = EVENT_TYPES.filter((type) => type.operational);
  assert.deepEqual(
    [...documented.keys()],
    operational.map((type) => type.wireName),
  );
  for (const type of operational) {
    assert.deepEqual(documented.get(type.wireName), payloadJsonSchema(type.name), type.wireName);
  }
});
