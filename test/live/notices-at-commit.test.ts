import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { type DatabaseHandle, openDatabase } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import {
  CommitOutcomeUnknownError,
  commitFailure,
  type InTransaction,
  transactionsWithOutbox,
} from '../../src/db/transactions.ts';
import type { Notices } from '../../src/pubsub/notices.ts';
import {
  createInProcessNotifier,
  createPostgresNotifier,
  type Notifier,
} from '../../src/pubsub/notifier.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../support/database.ts';

/**
 * A transaction's outbox (db/transactions.ts): notices put in it reach listeners once it has
 * committed, never before and never if it rolls back, with PostgreSQL's NOTIFY (sent with the
 * COMMIT) and in process (embedded mode) alike.
 */
let database: TestDatabase;
let handle: DatabaseHandle;
let db: Kysely<Database>;
const logger = createLogger({ level: 'silent' });

before(async () => {
  database = await createTestDatabase('notices_at_commit');
  handle = await openDatabase(
    {
      databaseUrl: database.env.DATABASE_URL,
      dataDir: database.env.HOOKLINE_DATA_DIR ?? '',
      poolSize: 3,
    },
    logger,
  );
  db = handle.db;
  await sql`create table marks (id text primary key)`.execute(db);
  // Checked at COMMIT: a way to make the COMMIT itself fail, with the server's answer.
  await sql`create table late (id text, constraint late_once unique (id) deferrable initially deferred)`.execute(
    db,
  );
});
after(async () => {
  await handle.close();
  await database.drop();
});

const notice = (id: string): Notices => ({
  deliveries: [{ organizationId: 'org_1', deliveryId: id, webhookId: 'whk_1', status: 'PENDING' }],
});

const heard = (notices: Notices[]) =>
  notices.flatMap((n) => n.deliveries ?? []).map((d) => d.deliveryId);

for (const [kind, make, skip] of [
  [
    'PostgreSQL NOTIFY',
    () => createPostgresNotifier(database.url, logger),
    needsPostgres('LISTEN and NOTIFY (embedded mode notifies in process)'),
  ],
  ['in process', () => createInProcessNotifier(logger), false],
] as const) {
  describe(kind, { skip }, () => {
    let notifier: Notifier;
    let transaction: InTransaction<Notices>;
    const received: Notices[] = [];
    before(async () => {
      notifier = make();
      transaction = transactionsWithOutbox(db, notifier);
      await notifier.start();
      notifier.listen((notices) => received.push(notices));
    });
    after(() => notifier.stop());

    /** Publishes a marker and waits for it: whatever was sent before it has been heard too. */
    const flush = async (id: string) => {
      await notifier.publish(db, notice(id));
      await eventually(() => (heard(received).includes(id) ? true : undefined), { message: id });
      received.splice(
        received.findIndex((n) => heard([n]).includes(id)),
        1,
      );
    };

    test('heard after the commit, with the rows already visible; never from a rollback', async () => {
      const prefix = kind === 'in process' ? 'local' : 'pg';
      const committed = await transaction(async (trx, outbox) => {
        await sql`insert into marks values (${`${prefix}_1`})`.execute(trx);
        outbox.notify(notice(`${prefix}_1`));
        outbox.notify(notice(`${prefix}_2`));
        await flush(`${prefix}_marker`);
        assert.deepEqual(heard(received), [], 'nothing is heard before the commit');
        return 'done';
      });
      assert.equal(committed, 'done');
      await eventually(() => (heard(received).length === 2 ? true : undefined), {
        message: 'both notices',
      });
      assert.deepEqual(heard(received), [`${prefix}_1`, `${prefix}_2`]);
      const row = await sql`select id from marks where id = ${`${prefix}_1`}`.execute(db);
      assert.equal(row.rows.length, 1);

      await assert.rejects(
        transaction(async (trx, outbox) => {
          await sql`insert into marks values (${`${prefix}_3`})`.execute(trx);
          outbox.notify(notice(`${prefix}_3`));
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      // A later committed notice arrives; the rolled-back one, published before it, never does.
      await transaction(async (_trx, outbox) => outbox.notify(notice(`${prefix}_4`)));
      await eventually(() => (heard(received).includes(`${prefix}_4`) ? true : undefined), {
        message: 'the later notice',
      });
      assert.ok(!heard(received).includes(`${prefix}_3`));
      const gone = await sql`select id from marks where id = ${`${prefix}_3`}`.execute(db);
      assert.equal(gone.rows.length, 0);
    });

    test('a COMMIT the server refuses rejects with its error, and nothing is heard', async () => {
      const prefix = kind === 'in process' ? 'local_late' : 'pg_late';
      const refused = await transaction(async (trx, outbox) => {
        await sql`insert into late values (${prefix}), (${prefix})`.execute(trx);
        outbox.notify(notice(`${prefix}_refused`));
      }).then(
        () => assert.fail('the COMMIT should have failed'),
        (error: unknown) => error,
      );
      assert.ok(!(refused instanceof CommitOutcomeUnknownError), String(refused));
      assert.equal((refused as { code?: string }).code, '23505');
      await transaction(async (_trx, outbox) => outbox.notify(notice(`${prefix}_after`)));
      await eventually(() => (heard(received).includes(`${prefix}_after`) ? true : undefined), {
        message: 'the later notice',
      });
      assert.ok(!heard(received).includes(`${prefix}_refused`));
    });
  });
}

describe('a failed COMMIT', () => {
  test('with a SQLSTATE the server answered: it did not commit; without one, nobody knows', () => {
    const answered = Object.assign(new Error('deferred unique violation'), { code: '23505' });
    assert.equal(commitFailure(answered), answered);
    const lost = new Error('Connection terminated unexpectedly');
    const unknown = commitFailure(lost);
    assert.ok(unknown instanceof CommitOutcomeUnknownError);
    assert.equal(unknown.cause, lost);
  });
});
