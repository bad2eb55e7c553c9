/**
 * The formats of the standard OpenTelemetry variables (OTEL_*), parsed strictly: config.ts reads
 * them through these functions, so that a typo is a configuration error at start rather than a
 * header or attribute the SDK would drop without a word.
 */

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/**
 * The OTLP protocols Hookline speaks, both over HTTP (a collector takes them on port 4318):
 * exporter-trace-otlp-http sends JSON, exporter-trace-otlp-proto protobuf. gRPC is not spoken.
 */
export const OTLP_PROTOCOLS = ['http/json', 'http/protobuf'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The specification's default when neither endpoint variable is set. */
export const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * `key1=value1,key2=value2`, as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES are
 * written: values percent-encoded, blanks around entries ignored.
 */
export function parseKeyValueList(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const key = at === -1 ? '' : entry.slice(0, at).trim();
    if (key === '') throw new Error(`"${entry.trim()}" is not key=value`);
    try {
      pairs.push([decodeURIComponent(key), decodeURIComponent(entry.slice(at + 1).trim())]);
    } catch {
      throw new Error(`"${key}" has a value that is not valid percent-encoding`);
    }
  }
  return pairs;
}

/** A comma-separated list of exporter names; `none` alone turns tracing off. */
export function parseTracesExporters(text: string): TracesExporter[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(TRACES_EXPORTERS as readonly string[]).includes(name)) {
      throw new Error(`"${name}" is not one of ${TRACES_EXPORTERS.join(', ')}`);
    }
  }
  return [...new Set(names)] as TracesExporter[];
}

/** An http(s) URL, as the endpoint variables must be. */
export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('must be an http:// or https:// URL');
  }
  return url.toString();
}

/**
 * Where spans go, per the specification: the traces endpoint as given, or the general endpoint
 * with `v1/traces` appended to its path, or the default.
 */
export function otlpTracesUrl(tracesEndpoint?: string, endpoint?: string): string {
  if (tracesEndpoint) return tracesEndpoint;
  if (!endpoint) return DEFAULT_OTLP_TRACES_URL;
  return endpoint.endsWith('/') ? `${endpoint}v1/traces` : `${endpoint}/v1/traces`;
}
