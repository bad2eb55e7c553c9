import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Role, TracingSettings } from '../config/config.ts';
import type { Logger } from '../shared/logger.ts';
import { VERSION } from '../shared/version.ts';
import type { Tracing, TracingOptions } from './tracing.ts';

/**
 * The SDK, built from settings config.ts parsed: the provider, one batch processor per exporter,
 * the sampler and the resource, each given its values explicitly. Loaded only when tracing is on
 * (tracing.ts imports this file on demand).
 */
export function startSdk(
  settings: TracingSettings,
  options: TracingOptions & { logger: Logger; role: Role },
): Tracing {
  const { logger } = options;
  const exporters = options.exporter
    ? [options.exporter]
    : settings.exporters.map((name) =>
        name === 'otlp' ? otlpExporter(settings) : consoleExporter(),
      );
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        ...settings.resourceAttributes,
        [ATTR_SERVICE_NAME]: settings.serviceName,
        [ATTR_SERVICE_VERSION]: VERSION,
        'hookline.role': options.role,
      }),
    ),
    sampler: samplerOf(settings),
    spanProcessors: exporters.map(
      (exporter) =>
        new BatchSpanProcessor({
          exporter: reportingFailures(exporter, logger),
          scheduledDelayMillis: settings.batch.scheduledDelayMs,
          exportTimeoutMillis: settings.batch.exportTimeoutMs,
          maxQueueSize: settings.batch.maxQueueSize,
          maxExportBatchSize: settings.batch.maxExportBatchSize,
        }),
    ),
  });
  logger.info(
    {
      exporters: options.exporter ? ['given'] : settings.exporters,
      // The endpoint without credentials or query, which may carry a token.
      endpoint: settings.exporters.includes('otlp') ? endpointForLog(settings.otlp.url) : undefined,
      sampler: settings.sampler,
      serviceName: settings.serviceName,
    },
    'tracing on',
  );
  return {
    enabled: true,
    tracer: provider.getTracer('hookline', VERSION),
    flush: () => provider.forceFlush(),
    stop: () => provider.shutdown(),
  };
}

/**
 * Every setting is passed, so the exporter's own fallbacks to process.env never decide one. The
 * exception, documented in docs/operations.md: the TLS file variables
 * (OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE), which the
 * exporter reads itself.
 */
function otlpExporter(settings: TracingSettings): SpanExporter {
  type Compression = NonNullable<ConstructorParameters<typeof JsonTraceExporter>[0]>['compression'];
  const options = {
    url: settings.otlp.url,
    headers: settings.otlp.headers,
    timeoutMillis: settings.otlp.timeoutMs,
    compression: settings.otlp.compression as Compression,
  };
  return settings.otlp.protocol === 'http/protobuf'
    ? new ProtobufTraceExporter(options)
    : new JsonTraceExporter(options);
}

/** Spans as text on stdout, beside the JSON log: for trying tracing out, not for production. */
function consoleExporter(): SpanExporter {
  return new ConsoleSpanExporter();
}

function samplerOf(settings: TracingSettings): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
  }
}

/**
 * Export failures in the log: the first of a run at warn (with what failed), and the recovery;
 * the ones between would only repeat it every few seconds while a collector is down.
 */
function reportingFailures(exporter: SpanExporter, logger: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && !failing) {
          failing = true;
          logger.warn(
            { err: result.error, spans: spans.length },
            'trace export failed; spans are dropped until it works again',
          );
        } else if (result.code === ExportResultCode.SUCCESS && failing) {
          failing = false;
          logger.info('trace export works again');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

function endpointForLog(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
