import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Role, TracingSettings } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * The tracer every traced part of Hookline is handed by the composition root. Nothing is
 * registered with the OpenTelemetry API's globals (tracer provider, context manager,
 * propagator): parents are passed explicitly, so two Hooklines in one process (the tests) keep
 * their spans apart, and a global SDK loaded by someone else (`node --import ...`) changes
 * nothing here.
 */
export interface Tracing {
  /** False: no SDK was loaded or started; `tracer` makes spans that record nothing. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Exports every span that has ended. */
  flush(): Promise<void>;
  /** Exports what is left and stops the exporters. */
  stop(): Promise<void>;
}

export interface TracingOptions {
  /**
   * Where spans go instead of the configured exporters, and tracing is on even if the
   * configuration names none: for tests (an InMemorySpanExporter) and for embedding Hookline.
   */
  exporter?: SpanExporter;
}

/**
 * A tracer of the API's own no-op kind, bound to no global: each span it makes is one small
 * object that records nothing, and `isRecording()` lets callers skip the work of attributes.
 */
export function tracingOff(): Tracing {
  return {
    enabled: false,
    tracer: new ProxyTracerProvider().getTracer('hookline'),
    flush: async () => {},
    stop: async () => {},
  };
}

/**
 * Starts the SDK when the configuration names an exporter (or one is given); otherwise loads
 * nothing of it. The SDK is imported only here, on demand.
 */
export async function startTracing(
  settings: TracingSettings,
  options: TracingOptions & { logger: Logger; role: Role },
): Promise<Tracing> {
  if (settings.exporters.length === 0 && !options.exporter) return tracingOff();
  const { startSdk } = await import('./sdk.ts');
  return startSdk(settings, options);
}
