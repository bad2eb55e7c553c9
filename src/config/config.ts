import { z } from 'zod';
import { MAX_PLATFORM_NAME_LENGTH, parseAccentColor } from '../auth/branding.ts';
import {
  MAX_CALL_SETUP_DEADLINE_MS,
  MIN_CALL_SETUP_DEADLINE_MS,
} from '../call-setup/call-setup-deadline.ts';
import { parseRetrySchedule } from '../deliveries/policies/retry-schedule.ts';
import { parseCidrList } from '../delivery-client/address-policy.ts';
import { parseOriginList } from '../http/cors.ts';
import { parseFrameAncestors } from '../http/frame-ancestors.ts';
import { DEFAULT_SUBSCRIPTION_BUFFER } from '../pubsub/live-feed.ts';
import { parseEncryptionKey, parseEncryptionKeyList } from '../shared/keyring.ts';
import {
  OTLP_PROTOCOLS,
  type OtlpProtocol,
  otlpTracesUrl,
  parseHttpUrl,
  parseKeyValueList,
  parseTracesExporters,
  TRACES_SAMPLERS,
  type TracesExporter,
  type TracesSampler,
} from '../telemetry/tracing-settings.ts';

/**
 * Every setting Hookline reads, parsed once at start. Nothing else in the codebase touches
 * `process.env`: modules receive the parts of `Config` they need.
 */
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

const port = z.preprocess(
  emptyAsUndefined,
  z.coerce.number().int().min(0).max(65535).default(4000),
);

const positiveSeconds = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().positive().default(fallback));

const count = (fallback: number, max: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(max).default(fallback));

const positiveMs = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(fallback));

/** A setting parsed by the module that owns its format, so the rules live in one place. */
const parsedWith = <T>(parse: (text: string) => T) =>
  z.preprocess(emptyAsUndefined, z.string().optional()).transform((value, ctx) => {
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const optionalMs = z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().optional());
const compression = z.preprocess(emptyAsUndefined, z.enum(['gzip', 'none']).optional());
const otlpProtocol = z.preprocess(
  emptyAsUndefined,
  z
    .enum(OTLP_PROTOCOLS, {
      error: `Hookline exports OTLP over HTTP (an OpenTelemetry Collector takes it on port 4318): set ${OTLP_PROTOCOLS.join(' or ')}, or unset it`,
    })
    .optional(),
);

/**
 * The standard OpenTelemetry variables Hookline acts on (see the specification's "Environment
 * Variable Specification"). Tracing is off unless an exporter or an endpoint is named.
 */
const tracingFields = {
  OTEL_SDK_DISABLED: z
    .preprocess(emptyAsUndefined, z.string().optional())
    .transform((value) => value?.trim().toLowerCase() === 'true'),
  OTEL_TRACES_EXPORTER: parsedWith(parseTracesExporters),
  OTEL_EXPORTER_OTLP_ENDPOINT: parsedWith(parseHttpUrl),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: parsedWith(parseHttpUrl),
  OTEL_EXPORTER_OTLP_HEADERS: parsedWith(parseKeyValueList),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: parsedWith(parseKeyValueList),
  OTEL_EXPORTER_OTLP_TIMEOUT: optionalMs,
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: optionalMs,
  OTEL_EXPORTER_OTLP_COMPRESSION: compression,
  OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: compression,
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  OTEL_SERVICE_NAME: z.preprocess(emptyAsUndefined, z.string().trim().min(1).optional()),
  OTEL_RESOURCE_ATTRIBUTES: parsedWith(parseKeyValueList),
  OTEL_TRACES_SAMPLER: z.preprocess(
    emptyAsUndefined,
    z.enum(TRACES_SAMPLERS).default('parentbased_always_on'),
  ),
  OTEL_TRACES_SAMPLER_ARG: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().min(0).max(1).default(1),
  ),
  OTEL_BSP_SCHEDULE_DELAY: positiveMs(5_000),
  OTEL_BSP_EXPORT_TIMEOUT: positiveMs(30_000),
  OTEL_BSP_MAX_QUEUE_SIZE: count(2048, 1_000_000),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: count(512, 1_000_000),
};

export const configSchema = z.object({
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  HOOKLINE_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./.hookline')),
  PORT: port,
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).default('127.0.0.1')),
  HOOKLINE_ADMIN_KEY: z.preprocess(
    emptyAsUndefined,
    z.string().min(24, 'must be at least 24 characters').optional(),
  ),
  HOOKLINE_API_KEY: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  HOOKLINE_ROLE: z.preprocess(emptyAsUndefined, z.enum(['all', 'api', 'worker']).default('all')),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  NODE_ENV: z.preprocess(emptyAsUndefined, z.string().default('development')),
  HOOKLINE_DB_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2).default(10)),
  HOOKLINE_CONNECT_TIMEOUT_MS: positiveMs(5_000),
  HOOKLINE_REQUEST_TIMEOUT_MS: positiveMs(15_000),
  HOOKLINE_RETRY_SCHEDULE: parsedWith(parseRetrySchedule),
  HOOKLINE_ALLOW_NETWORKS: parsedWith(parseCidrList),
  HOOKLINE_SECRET_ROTATION_GRACE_SECONDS: positiveSeconds(24 * 3600),
  HOOKLINE_DISABLE_AFTER_SECONDS: positiveSeconds(5 * 24 * 3600),
  HOOKLINE_WORKER_CONCURRENCY: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1000).default(64),
  ),
  HOOKLINE_ENDPOINT_CONCURRENCY: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1000).default(8),
  ),
  HOOKLINE_ENDPOINT_MAX_CONCURRENCY: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1000).default(64),
  ),
  HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(10_000).default(5),
  ),
  HOOKLINE_CIRCUIT_PROBE_SECONDS: positiveSeconds(5),
  HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS: positiveSeconds(300),
  HOOKLINE_CALL_SETUP_DEADLINE_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number()
      .int()
      .min(MIN_CALL_SETUP_DEADLINE_MS)
      .max(MAX_CALL_SETUP_DEADLINE_MS)
      .default(5_000),
  ),
  HOOKLINE_SHUTDOWN_TIMEOUT_MS: positiveMs(15_000),
  HOOKLINE_RETENTION_DAYS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().min(0).max(3650).default(30),
  ),
  HOOKLINE_RETENTION_INTERVAL_SECONDS: positiveSeconds(3600),
  HOOKLINE_SUBSCRIPTION_BUFFER: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_SUBSCRIPTION_BUFFER),
  ),
  HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION: count(100, 100_000),
  HOOKLINE_MAX_CONNECTIONS_PER_KEY: count(50, 100_000),
  HOOKLINE_CORS_ORIGINS: parsedWith(parseOriginList),
  HOOKLINE_RATE_LIMIT_PER_MINUTE: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(0).max(1_000_000).default(600),
  ),
  HOOKLINE_PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  HOOKLINE_PORTAL_FRAME_ANCESTORS: parsedWith(parseFrameAncestors),
  HOOKLINE_PORTAL_PLATFORM_NAME: z.preprocess(
    emptyAsUndefined,
    z.string().trim().min(1).max(MAX_PLATFORM_NAME_LENGTH).optional(),
  ),
  HOOKLINE_PORTAL_ACCENT_COLOR: parsedWith(parseAccentColor),
  HOOKLINE_ENCRYPTION_KEY: parsedWith(parseEncryptionKey),
  HOOKLINE_ENCRYPTION_PREVIOUS_KEYS: parsedWith(parseEncryptionKeyList),
  ...tracingFields,
});

export type RawConfig = z.infer<typeof configSchema>;

export type Role = RawConfig['HOOKLINE_ROLE'];

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  adminKey: string | undefined;
  /** An organization's API key for CLI commands that act as it (`hookline listen`). */
  apiKey: string | undefined;
  role: Role;
  logLevel: RawConfig['LOG_LEVEL'];
  production: boolean;
  dbPoolSize: number;
  delivery: {
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    retryScheduleSeconds: number[] | undefined;
    allowNetworks: string[];
    secretRotationGraceSeconds: number;
    disableAfterSeconds: number;
    concurrency: number;
    endpoints: EndpointSettings;
    circuit: CircuitSettings;
  };
  callSetup: {
    /** How long requestCallSetup waits for the responder unless the request says otherwise. */
    defaultDeadlineMs: number;
  };
  /** At stop: how long requests and delivery attempts in flight may take to finish. */
  shutdownTimeoutMs: number;
  retention: {
    /** Attempts and finished events older than this are purged; 0 keeps everything. */
    days: number;
    intervalSeconds: number;
  };
  subscriptions: {
    /** Items a subscriber may have waiting before it is ended with SLOW_CONSUMER. */
    bufferSize: number;
    /** Operations open at once on one WebSocket; one more closes it with 4429. */
    maxPerConnection: number;
    /** WebSockets and SSE streams one key may hold open in one process; more are refused. */
    maxConnectionsPerKey: number;
  };
  /** Origins allowed to call /graphql from a browser; empty: CORS is off. */
  corsOrigins: string[];
  /** Mutations per API key per minute, in each API process; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Portal sessions and the embedded dashboard (docs/dashboard.md, Embedding). */
  portal: {
    /** The dashboard's address in portal links; unset: the origin the API was called on. */
    publicUrl: string | undefined;
    /** Pages allowed to frame the dashboard (CSP frame-ancestors); empty: none. */
    frameAncestors: string[];
    /** Branding for organizations without their own. */
    platformName: string | null;
    accentColor: string | null;
  };
  /** Secrets at rest (shared/keyring.ts); see db/encryption-key.ts for a key left unset. */
  encryption: {
    /** The key new values are sealed with; unset: generated into the data folder. */
    key: Buffer | undefined;
    /** Older keys, still read until everything is sealed with the current one. */
    previousKeys: Buffer[];
  };
  /** OpenTelemetry tracing, from the standard OTEL_* variables. */
  tracing: TracingSettings;
}

export interface TracingSettings {
  /** Where spans go; none: tracing is off and no SDK is started. */
  exporters: Array<Exclude<TracesExporter, 'none'>>;
  otlp: {
    url: string;
    /** JSON unless OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL asks for protobuf. */
    protocol: OtlpProtocol;
    /** Sent with every export (a vendor's API key, say): never logged. */
    headers: Record<string, string>;
    timeoutMs: number;
    compression: 'gzip' | 'none';
  };
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, service.name excepted (it is `serviceName`). */
  resourceAttributes: Record<string, string>;
  sampler: TracesSampler;
  /** The ratio of the traceidratio samplers, 0..1. */
  samplerRatio: number;
  /** The batch span processor's OTEL_BSP_* settings. */
  batch: {
    scheduledDelayMs: number;
    exportTimeoutMs: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
}

/** What an endpoint gets unless its webhook says otherwise, and the operator's ceiling. */
export interface EndpointSettings {
  /** Attempts in flight to one webhook at once, across all workers, by default. */
  defaultConcurrency: number;
  /** The most a webhook's own maxConcurrency may ask for. */
  maxConcurrency: number;
}

export interface CircuitSettings {
  /** Failed attempts in a row that open an endpoint's circuit. */
  failureThreshold: number;
  /** Wait before the first probe; each failed probe doubles it, up to maxProbeSeconds. */
  probeSeconds: number;
  maxProbeSeconds: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Settings that are each valid alone but contradict one another. */
function crossFieldProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  if (raw.HOOKLINE_ENDPOINT_CONCURRENCY > raw.HOOKLINE_ENDPOINT_MAX_CONCURRENCY) {
    problems.push(
      `HOOKLINE_ENDPOINT_CONCURRENCY: must not exceed HOOKLINE_ENDPOINT_MAX_CONCURRENCY (${raw.HOOKLINE_ENDPOINT_MAX_CONCURRENCY})`,
    );
  }
  if (raw.NODE_ENV === 'production' && raw.DATABASE_URL && !raw.HOOKLINE_ENCRYPTION_KEY) {
    problems.push(
      'HOOKLINE_ENCRYPTION_KEY: required with DATABASE_URL in production, the same on every process (generate one with: openssl rand -base64 32)',
    );
  }
  if (raw.HOOKLINE_CIRCUIT_PROBE_SECONDS > raw.HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS) {
    problems.push(
      `HOOKLINE_CIRCUIT_PROBE_SECONDS: must not exceed HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS (${raw.HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS})`,
    );
  }
  if (raw.OTEL_TRACES_EXPORTER?.includes('none') && raw.OTEL_TRACES_EXPORTER.length > 1) {
    problems.push('OTEL_TRACES_EXPORTER: none turns tracing off: it cannot be combined');
  }
  if (raw.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > raw.OTEL_BSP_MAX_QUEUE_SIZE) {
    problems.push(
      `OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${raw.OTEL_BSP_MAX_QUEUE_SIZE})`,
    );
  }
  return problems;
}

/**
 * Tracing is on when an exporter is named (OTEL_TRACES_EXPORTER) or, with none named, when an
 * OTLP endpoint is; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off. Settings
 * specific to traces win over the general ones, as the specification says.
 */
function tracingSettings(raw: RawConfig): TracingSettings {
  const endpointSet = Boolean(
    raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || raw.OTEL_EXPORTER_OTLP_ENDPOINT,
  );
  const named = raw.OTEL_TRACES_EXPORTER ?? (endpointSet ? ['otlp'] : []);
  const exporters = raw.OTEL_SDK_DISABLED ? [] : named.filter((name) => name !== 'none');
  const { 'service.name': resourceServiceName, ...resourceAttributes } = Object.fromEntries(
    raw.OTEL_RESOURCE_ATTRIBUTES ?? [],
  );
  return {
    exporters,
    otlp: {
      url: otlpTracesUrl(raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, raw.OTEL_EXPORTER_OTLP_ENDPOINT),
      protocol:
        raw.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? raw.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json',
      headers: Object.fromEntries([
        ...(raw.OTEL_EXPORTER_OTLP_HEADERS ?? []),
        ...(raw.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? []),
      ]),
      timeoutMs: raw.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? raw.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
      compression:
        raw.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? raw.OTEL_EXPORTER_OTLP_COMPRESSION ?? 'none',
    },
    serviceName: raw.OTEL_SERVICE_NAME ?? resourceServiceName ?? 'hookline',
    resourceAttributes,
    sampler: raw.OTEL_TRACES_SAMPLER,
    samplerRatio: raw.OTEL_TRACES_SAMPLER_ARG,
    batch: {
      scheduledDelayMs: raw.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMs: raw.OTEL_BSP_EXPORT_TIMEOUT,
      maxQueueSize: raw.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: raw.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    },
  };
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const raw = parsed.data;
  const problems = crossFieldProblems(raw);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl: raw.DATABASE_URL,
    dataDir: raw.HOOKLINE_DATA_DIR,
    port: raw.PORT,
    host: raw.HOST,
    adminKey: raw.HOOKLINE_ADMIN_KEY,
    apiKey: raw.HOOKLINE_API_KEY,
    role: raw.HOOKLINE_ROLE,
    logLevel: raw.LOG_LEVEL,
    production: raw.NODE_ENV === 'production',
    dbPoolSize: raw.HOOKLINE_DB_POOL_SIZE,
    delivery: {
      connectTimeoutMs: raw.HOOKLINE_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: raw.HOOKLINE_REQUEST_TIMEOUT_MS,
      retryScheduleSeconds: raw.HOOKLINE_RETRY_SCHEDULE,
      allowNetworks: raw.HOOKLINE_ALLOW_NETWORKS ?? [],
      secretRotationGraceSeconds: raw.HOOKLINE_SECRET_ROTATION_GRACE_SECONDS,
      disableAfterSeconds: raw.HOOKLINE_DISABLE_AFTER_SECONDS,
      concurrency: raw.HOOKLINE_WORKER_CONCURRENCY,
      endpoints: {
        defaultConcurrency: raw.HOOKLINE_ENDPOINT_CONCURRENCY,
        maxConcurrency: raw.HOOKLINE_ENDPOINT_MAX_CONCURRENCY,
      },
      circuit: {
        failureThreshold: raw.HOOKLINE_CIRCUIT_FAILURE_THRESHOLD,
        probeSeconds: raw.HOOKLINE_CIRCUIT_PROBE_SECONDS,
        maxProbeSeconds: raw.HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS,
      },
    },
    callSetup: { defaultDeadlineMs: raw.HOOKLINE_CALL_SETUP_DEADLINE_MS },
    shutdownTimeoutMs: raw.HOOKLINE_SHUTDOWN_TIMEOUT_MS,
    retention: {
      days: raw.HOOKLINE_RETENTION_DAYS,
      intervalSeconds: raw.HOOKLINE_RETENTION_INTERVAL_SECONDS,
    },
    subscriptions: {
      bufferSize: raw.HOOKLINE_SUBSCRIPTION_BUFFER,
      maxPerConnection: raw.HOOKLINE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerKey: raw.HOOKLINE_MAX_CONNECTIONS_PER_KEY,
    },
    corsOrigins: raw.HOOKLINE_CORS_ORIGINS ?? [],
    rateLimitPerMinute: raw.HOOKLINE_RATE_LIMIT_PER_MINUTE,
    portal: {
      publicUrl: raw.HOOKLINE_PUBLIC_URL?.replace(/\/+$/, ''),
      frameAncestors: raw.HOOKLINE_PORTAL_FRAME_ANCESTORS ?? [],
      platformName: raw.HOOKLINE_PORTAL_PLATFORM_NAME ?? null,
      accentColor: raw.HOOKLINE_PORTAL_ACCENT_COLOR?.[0] ?? null,
    },
    encryption: {
      key: raw.HOOKLINE_ENCRYPTION_KEY,
      previousKeys: raw.HOOKLINE_ENCRYPTION_PREVIOUS_KEYS ?? [],
    },
    tracing: tracingSettings(raw),
  };
}
