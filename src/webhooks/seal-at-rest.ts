import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Keyring } from '../shared/keyring.ts';
import { headersContext } from './endpoint-headers.ts';
import { signingSecretContext } from './webhook.ts';

const BATCH = 500;

/**
 * Seals every secret at rest with the keyring's current key: values still in plain text (written
 * before encryption at rest, or by an older process) and values sealed with a previous key (after
 * a rotation). Runs at start, under the bootstrap lock, after the migrations; a batch at a time,
 * each in its own transaction, so a large table never holds one long lock. A value sealed with a
 * key the keyring lacks stops the start: nothing could sign with it. Returns how many webhooks
 * changed.
 */
export async function sealSecretsAtRest(db: Kysely<Database>, keyring: Keyring): Promise<number> {
  const current = `hle1:${keyring.currentKeyId}:%`;
  let after = '';
  let changed = 0;
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('webhooks')
        .select(['id', 'signing_secret', 'previous_signing_secret', 'headers'])
        .where('id', '>', after)
        .where((eb) =>
          eb.or([
            eb('signing_secret', 'not like', current),
            eb('previous_signing_secret', 'not like', current),
            eb('headers', 'not like', current),
          ]),
        )
        .orderBy('id')
        .limit(BATCH)
        .forUpdate()
        .execute();
      for (const row of rows) {
        const reseal = (value: string | null, context: string) =>
          value === null || keyring.isCurrent(value)
            ? value
            : keyring.seal(keyring.open(value, context), context);
        await trx
          .updateTable('webhooks')
          .set({
            signing_secret: reseal(row.signing_secret, signingSecretContext(row.id))!,
            previous_signing_secret: reseal(
              row.previous_signing_secret,
              signingSecretContext(row.id),
            ),
            headers: reseal(row.headers, headersContext(row.id)),
          })
          .where('id', '=', row.id)
          .execute();
      }
      return rows;
    });
    changed += batch.length;
    if (batch.length < BATCH) return changed;
    after = batch[batch.length - 1]!.id;
  }
}

/** How many webhooks hold a secret not sealed with the current key (for tests and the CLI). */
export async function countUnsealed(db: Kysely<Database>, keyring: Keyring): Promise<number> {
  const current = `hle1:${keyring.currentKeyId}:%`;
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from webhooks
    where signing_secret not like ${current} or previous_signing_secret not like ${current}
      or headers not like ${current}`.execute(db);
  return rows[0]?.n ?? 0;
}
