import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../config/config.ts';
import { parseKeyValueList } from './tracing-settings.ts';

const tracing = (env: Record<string, string>) => parseConfig(env).tracing;

function refused(env: Record<string, string>, name: string): string {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const problem = error.problems.find((p) => p.startsWith(`${name}:`));
    assert.ok(problem, `a problem names ${name}: ${error.problems.join('; ')}`);
    return problem;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

describe('tracing settings from the OTEL_* variables', () => {
  test('off unless an exporter or an endpoint is named', () => {
    assert.deepEqual(tracing({}).exporters, []);
    assert.deepEqual(
      tracing({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }).exporters,
      [],
    );
  });

  test('an endpoint alone turns OTLP on; the general one gets v1/traces, the traces one is used as is', () => {
    const general = tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    assert.deepEqual(general.exporters, ['otlp']);
    assert.equal(general.otlp.url, 'http://collector:4318/v1/traces');
    const specific = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
    });
    assert.equal(specific.otlp.url, 'https://traces.example.com/ingest');
  });

  test('OTEL_TRACES_EXPORTER=otlp alone uses the default endpoint; none and OTEL_SDK_DISABLED turn it off', () => {
    assert.equal(
      tracing({ OTEL_TRACES_EXPORTER: 'otlp' }).otlp.url,
      'http://localhost:4318/v1/traces',
    );
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    assert.deepEqual(tracing({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).exporters, []);
    assert.deepEqual(tracing({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }).exporters, []);
    assert.deepEqual(tracing({ ...endpoint, OTEL_SDK_DISABLED: 'false' }).exporters, ['otlp']);
    assert.deepEqual(tracing({ OTEL_TRACES_EXPORTER: 'otlp, console' }).exporters, [
      'otlp',
      'console',
    ]);
  });

  test('headers: percent-decoded, the traces-specific ones win', () => {
    const settings = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=general,x-team=voice%20agents',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=traces',
    });
    assert.deepEqual(settings.otlp.headers, { 'api-key': 'traces', 'x-team': 'voice agents' });
  });

  test('defaults: service hookline, parent-based always-on sampling, the batch processor’s defaults', () => {
    const settings = tracing({ OTEL_TRACES_EXPORTER: 'otlp' });
    assert.equal(settings.serviceName, 'hookline');
    assert.equal(settings.sampler, 'parentbased_always_on');
    assert.equal(settings.samplerRatio, 1);
    assert.deepEqual(settings.otlp, {
      url: 'http://localhost:4318/v1/traces',
      protocol: 'http/json',
      headers: {},
      timeoutMs: 10_000,
      compression: 'none',
    });
    assert.deepEqual(settings.batch, {
      scheduledDelayMs: 5000,
      exportTimeoutMs: 30_000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
  });

  test('values given are used; service.name may come from OTEL_RESOURCE_ATTRIBUTES', () => {
    const settings = tracing({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=prod',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    assert.equal(settings.serviceName, 'from-resource');
    assert.deepEqual(settings.resourceAttributes, { 'deployment.environment.name': 'prod' });
    assert.equal(settings.sampler, 'parentbased_traceidratio');
    assert.equal(settings.samplerRatio, 0.25);
    assert.equal(settings.otlp.timeoutMs, 3000);
    assert.equal(settings.otlp.compression, 'gzip');
    assert.equal(
      tracing({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_SERVICE_NAME: 'named',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=other',
      }).serviceName,
      'named',
    );
  });

  for (const [name, value] of [
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_TRACES_EXPORTER', 'none,otlp'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://collector/'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/xml'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'no-value-here'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'key=%E0%A4%A'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '-5'],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '0'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '4096'],
  ] as const) {
    test(`${name}=${value} is a configuration error naming it`, () => {
      refused({ OTEL_TRACES_EXPORTER: 'otlp', [name]: value }, name);
    });
  }

  test('the protocol error says what to do', () => {
    assert.match(
      refused({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'),
      /http\/json or http\/protobuf/,
    );
  });

  test('protobuf is spoken when asked for; the traces setting wins over the general one', () => {
    assert.equal(
      tracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).otlp
        .protocol,
      'http/protobuf',
    );
    assert.equal(
      tracing({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }).otlp.protocol,
      'http/json',
    );
  });
});

describe('parseKeyValueList', () => {
  test('blanks around entries and empty entries are ignored', () => {
    assert.deepEqual(parseKeyValueList(' a = 1 ,, b=x%3Dy '), [
      ['a', '1'],
      ['b', 'x=y'],
    ]);
  });
  test('an entry without a key is refused', () => {
    assert.throws(() => parseKeyValueList('=1'), /not key=value/);
  });
});
