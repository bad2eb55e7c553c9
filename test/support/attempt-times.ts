import {
  DeliveriesDocument,
  type DeliveryAttemptFieldsFragment,
  EmitEventDocument,
  type HooklineClient,
  type StatsBucketFieldsFragment,
} from '@hookline/client';
import pg from 'pg';
import { eventually } from './assertions.ts';
import { preConversation } from './fixtures.ts';
import type { Responder } from './receiver.ts';

/**
 * Real attempts at chosen moments, for charts and their query. Attempts happen now, a few
 * milliseconds apart; a chart spans hours or days, and its buckets are cut from the moment it is
 * asked for. So the attempts are made for real (a real receiver answers them, the worker records
 * them with their real durations and outcomes) and then moved to the moments a test needs, in
 * the database: the only thing about them that is not real is when they started.
 */

/**
 * Answers by the event's call id: `fail_N` gets a 500, any other call a 200, each after N × 15 ms
 * (`ok_3` waits 45 ms), so that latencies differ.
 */
export const answerByCallId: Responder = (req, res) => {
  const callId = JSON.parse(req.body).data.callId as string;
  const delay = Number(callId.split('_')[1] ?? 0) * 15;
  setTimeout(() => {
    res.writeHead(callId.startsWith('fail') ? 500 : 200);
    res.end(callId.startsWith('fail') ? 'boom' : 'ok');
  }, delay);
};

export type Attempt = DeliveryAttemptFieldsFragment;

/**
 * Emits one pre-conversation event per call id for the agent and waits until the webhook's
 * deliveries are finished with `attempts` attempts in all; returns them, oldest first.
 */
export async function deliverCalls(
  client: HooklineClient,
  agentId: string,
  webhookId: string,
  callIds: readonly string[],
  attempts: number,
): Promise<Attempt[]> {
  for (const callId of callIds) {
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation(callId) },
    });
  }
  const all = await eventually(
    async () => {
      const { deliveries } = await client.request(DeliveriesDocument, { webhookId, first: 100 });
      const finished = deliveries.edges.every((e) => !['PENDING', 'HELD'].includes(e.node.status));
      const found = deliveries.edges.flatMap((e) => e.node.attempts);
      return finished && deliveries.edges.length === callIds.length && found.length === attempts
        ? found
        : undefined;
    },
    { message: `${attempts} finished attempts to ${webhookId}` },
  );
  return all.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Sets each attempt's start to the given moment; returns the attempts as they now are. */
export async function moveAttempts(
  databaseUrl: string,
  moves: ReadonlyArray<{ attempt: Attempt; to: Date }>,
): Promise<Attempt[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      'update delivery_attempts set started_at = m.at from unnest($1::text[], $2::timestamptz[]) as m(id, at) where delivery_attempts.id = m.id',
      [moves.map((m) => m.attempt.id), moves.map((m) => m.to.toISOString())],
    );
  } finally {
    await client.end();
  }
  return moves.map((m) => ({ ...m.attempt, startedAt: m.to.toISOString() }));
}

/** percentile_cont: linear interpolation between the closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export type Bucket = StatsBucketFieldsFragment;

/**
 * What each of the given buckets should hold, counted here from the attempts: those that started
 * at or after its start and before its end. Latencies exact (unrounded); null without attempts.
 */
export function expectedBuckets(
  buckets: readonly Bucket[],
  attempts: readonly Attempt[],
): Bucket[] {
  return buckets.map((bucket) => {
    const from = Date.parse(bucket.startsAt);
    const to = Date.parse(bucket.endsAt);
    const inside = attempts.filter((a) => {
      const at = Date.parse(a.startedAt);
      return at >= from && at < to;
    });
    const durations = inside.map((a) => a.durationMs);
    return {
      startsAt: bucket.startsAt,
      endsAt: bucket.endsAt,
      successCount: inside.filter((a) => a.errorKind == null).length,
      failureCount: inside.filter((a) => a.errorKind != null).length,
      p50LatencyMs: durations.length ? percentile(durations, 0.5) : null,
      p95LatencyMs: durations.length ? percentile(durations, 0.95) : null,
    };
  });
}
