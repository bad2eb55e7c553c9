import type { DeliveryStatus } from '../deliveries/deliveries.table.ts';

/**
 * What one process tells the others when deliveries change. Notices carry ids and the few fields
 * that subscription filters need, never payloads: a PostgreSQL NOTIFY holds about 8 KB, and the
 * listening process loads whatever its subscribers select.
 */
export interface DeliveryNotice {
  organizationId: string;
  deliveryId: string;
  webhookId: string;
  status: DeliveryStatus;
}

export interface AttemptNotice {
  organizationId: string;
  attemptId: string;
  deliveryId: string;
  webhookId: string;
  agentId: string | null;
  eventType: string;
}

/**
 * A request waiting for a `hookline listen` (the API process holding its socket claims it), or
 * its answer (the worker waiting for it reads it): src/webhooks/listener-relay.ts.
 */
export interface ListenerNotice {
  kind: 'request' | 'answer';
  webhookId: string;
  exchangeId: string;
}

export interface Notices {
  /** New work is due now: workers should fetch. */
  wake?: boolean;
  deliveries?: DeliveryNotice[];
  attempts?: AttemptNotice[];
  /** Ids of API keys just revoked: connections authenticated with them are closed at once. */
  revokedKeys?: string[];
  listener?: ListenerNotice[];
}

type DeliveryTuple = [string, string, string, DeliveryStatus];
type AttemptTuple = [string, string, string, string, string | null, string];
type ListenerTuple = ['q' | 'a', string, string];
interface Wire {
  w?: 1;
  d?: DeliveryTuple[];
  a?: AttemptTuple[];
  k?: string[];
  l?: ListenerTuple[];
}

/** Stays under PostgreSQL's 8000-byte NOTIFY limit with room for the channel name. */
export const MAX_NOTICE_BYTES = 7_000;

/** Splits notices into payloads that each fit in one NOTIFY. */
export function encodeNotices(notices: Notices): string[] {
  const payloads: string[] = [];
  let current: Wire = notices.wake ? { w: 1 } : {};
  let size = JSON.stringify(current).length;
  const flushIfFull = (added: number) => {
    if (
      size + added > MAX_NOTICE_BYTES &&
      (current.d?.length || current.a?.length || current.k?.length || current.l?.length)
    ) {
      payloads.push(JSON.stringify(current));
      current = {};
      size = 2;
    }
  };
  for (const keyId of notices.revokedKeys ?? []) {
    const added = JSON.stringify(keyId).length + 8;
    flushIfFull(added);
    current.k ??= [];
    current.k.push(keyId);
    size += added;
  }
  for (const d of notices.deliveries ?? []) {
    const tuple: DeliveryTuple = [d.organizationId, d.deliveryId, d.webhookId, d.status];
    const added = JSON.stringify(tuple).length + 8;
    flushIfFull(added);
    current.d ??= [];
    current.d.push(tuple);
    size += added;
  }
  for (const a of notices.attempts ?? []) {
    const tuple: AttemptTuple = [
      a.organizationId,
      a.attemptId,
      a.deliveryId,
      a.webhookId,
      a.agentId,
      a.eventType,
    ];
    const added = JSON.stringify(tuple).length + 8;
    flushIfFull(added);
    current.a ??= [];
    current.a.push(tuple);
    size += added;
  }
  for (const l of notices.listener ?? []) {
    const tuple: ListenerTuple = [l.kind === 'request' ? 'q' : 'a', l.webhookId, l.exchangeId];
    const added = JSON.stringify(tuple).length + 8;
    flushIfFull(added);
    current.l ??= [];
    current.l.push(tuple);
    size += added;
  }
  if (
    current.w ||
    current.d?.length ||
    current.a?.length ||
    current.k?.length ||
    current.l?.length
  ) {
    payloads.push(JSON.stringify(current));
  }
  return payloads;
}

export function decodeNotices(payload: string): Notices {
  const wire = JSON.parse(payload) as Wire;
  return {
    wake: wire.w === 1,
    deliveries: (wire.d ?? []).map(([organizationId, deliveryId, webhookId, status]) => ({
      organizationId,
      deliveryId,
      webhookId,
      status,
    })),
    attempts: (wire.a ?? []).map(
      ([organizationId, attemptId, deliveryId, webhookId, agentId, eventType]) => ({
        organizationId,
        attemptId,
        deliveryId,
        webhookId,
        agentId,
        eventType,
      }),
    ),
    ...(wire.k?.length ? { revokedKeys: wire.k } : {}),
    ...(wire.l?.length
      ? {
          listener: wire.l.map(([kind, webhookId, exchangeId]) => ({
            kind: kind === 'q' ? ('request' as const) : ('answer' as const),
            webhookId,
            exchangeId,
          })),
        }
      : {}),
  };
}
