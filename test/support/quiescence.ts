import { sql } from 'kysely';
import { UNFINISHED_STATUSES } from '../../src/deliveries/deliveries.table.ts';
import { deliveryJob } from '../../src/queue/jobs.ts';
import { eventually } from './assertions.ts';
import { dbOf, type ServerDb } from './server-db.ts';

/**
 * "Nothing more arrived" is only evidence once nothing more can arrive: no delivery is owed and
 * no job of our queue is left to run. Tests wait for that instead of sleeping. The queries go
 * through the server's own connection, so they work on PostgreSQL and on embedded PGlite alike.
 */

export interface QuiescenceScope {
  /** Only this organization's deliveries and jobs (other tests of the file may be busy). */
  organizationId?: string;
  timeoutMs?: number;
}

export interface OutstandingWork {
  /** Deliveries PENDING or HELD. */
  deliveries: number;
  /** Jobs of the delivery queue created, retrying or active. */
  jobs: number;
}

export async function outstandingWork(
  source: ServerDb,
  { organizationId }: QuiescenceScope = {},
): Promise<OutstandingWork> {
  const db = dbOf(source);
  let deliveries = db
    .selectFrom('deliveries')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', 'in', UNFINISHED_STATUSES);
  if (organizationId) deliveries = deliveries.where('organization_id', '=', organizationId);
  const organization = organizationId
    ? sql`and data->>'organizationId' = ${organizationId}`
    : sql``;
  const [owed, jobs] = await Promise.all([
    deliveries.executeTakeFirstOrThrow(),
    sql<{ n: number }>`
      select count(*)::int as n from pgboss.job
       where name = ${deliveryJob.name} and state in ('created', 'retry', 'active') ${organization}
    `.execute(db),
  ]);
  return { deliveries: owed.n, jobs: jobs.rows[0]?.n ?? 0 };
}

/** Waits until no delivery is owed and no delivery job is left (for one organization, or all). */
export async function waitForQuiescence(
  source: ServerDb,
  scope: QuiescenceScope = {},
): Promise<void> {
  let last: OutstandingWork | undefined;
  try {
    await eventually(
      async () => {
        last = await outstandingWork(source, scope);
        return last.deliveries === 0 && last.jobs === 0 ? true : undefined;
      },
      { timeoutMs: scope.timeoutMs ?? 30_000, message: 'quiescence' },
    );
  } catch (error) {
    throw new Error(`${String(error)}; still outstanding: ${JSON.stringify(last)}`);
  }
}

/**
 * Waits until the deliveries of an event (or a webhook) number at least `count` and none of
 * them is owed any more; returns them.
 */
export async function deliveriesSettled(
  source: ServerDb,
  filter: { eventId?: string; webhookId?: string; count?: number; timeoutMs?: number },
) {
  const db = dbOf(source);
  return eventually(
    async () => {
      let query = db
        .selectFrom('deliveries')
        .select(['id', 'status', 'attempt_count', 'webhook_id']);
      if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
      if (filter.webhookId) query = query.where('webhook_id', '=', filter.webhookId);
      const rows = await query.orderBy('id').execute();
      const owed = rows.some((row) =>
        (UNFINISHED_STATUSES as readonly string[]).includes(row.status),
      );
      return rows.length >= (filter.count ?? 1) && !owed ? rows : undefined;
    },
    { timeoutMs: filter.timeoutMs ?? 30_000, message: 'the deliveries to settle' },
  );
}
