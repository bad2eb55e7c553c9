import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Hookline's Prometheus metrics, on a registry of its own (never prom-client's global one), so
 * that two Hooklines in one process (tests) count separately and a library registering metrics
 * globally cannot leak into our output. Every Hookline metric is named `hookline_...`; the
 * process metrics keep their standard Prometheus names (`process_...`, `nodejs_...`), which is
 * what ready-made dashboards expect.
 *
 * Labels are low-cardinality on purpose: no organization, webhook or delivery ids. Per-endpoint
 * numbers come from `Webhook.stats` and `hookline stats`, which read the attempt log.
 */
export interface Metrics {
  registry: Registry;
  /** Events accepted by `emitEvent` (idempotent replays excluded), by event type. */
  eventsIngested: Counter<'type'>;
  /** Recorded delivery attempts: outcome `success|failure`, status class `2xx|4xx|5xx|none`... */
  deliveryAttempts: Counter<'outcome' | 'status_class'>;
  deliveryAttemptDuration: Histogram<'outcome'>;
  /** Attempts cut short by a shutdown: their jobs went back to the queue for another worker. */
  deliveryJobsReleased: Counter;
  activeSubscriptions: Gauge<'transport'>;
  /** Call setups answered by this process, by outcome (ANSWERED|FALLBACK|NO_RESPONDER). */
  callSetups: Counter<'outcome'>;
  /** From the request to the answer, by outcome. */
  callSetupDuration: Histogram<'outcome'>;
}

export type SubscriptionTransport = 'ws' | 'sse';
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

export interface MetricsOptions {
  /** process_* and nodejs_* metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const activeSubscriptions = new Gauge({
    name: 'hookline_active_subscriptions',
    help: 'GraphQL subscriptions open in this process, by transport (ws: graphql-ws, sse: HTTP).',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  // Both series exist from the start, so a dashboard shows 0 rather than no data.
  for (const transport of ['ws', 'sse'] satisfies SubscriptionTransport[]) {
    activeSubscriptions.set({ transport }, 0);
  }
  return {
    registry,
    eventsIngested: new Counter({
      name: 'hookline_events_ingested_total',
      help: 'Events accepted by emitEvent, by type (idempotent replays are not counted).',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    deliveryAttempts: new Counter({
      name: 'hookline_delivery_attempts_total',
      help: 'Delivery attempts recorded by this process, by outcome (success|failure) and HTTP status class (none: no response).',
      labelNames: ['outcome', 'status_class'] as const,
      registers: [registry],
    }),
    deliveryAttemptDuration: new Histogram({
      name: 'hookline_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, from connecting to the end of the response body.',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [registry],
    }),
    deliveryJobsReleased: new Counter({
      name: 'hookline_delivery_jobs_released_total',
      help: 'Attempts interrupted by a shutdown; their jobs were handed back to the queue.',
      registers: [registry],
    }),
    activeSubscriptions,
    callSetups: new Counter({
      name: 'hookline_call_setups_total',
      help: 'Call setups answered by this process, by outcome (ANSWERED, FALLBACK, NO_RESPONDER).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    callSetupDuration: new Histogram({
      name: 'hookline_call_setup_duration_seconds',
      help: 'Time from a requestCallSetup to its answer, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export function statusClass(status: number | null): StatusClass {
  if (status === null || status < 100 || status > 599) return 'none';
  return `${Math.floor(status / 100)}xx` as StatusClass;
}
