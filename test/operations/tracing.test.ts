import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateWebhookDocument,
  createHooklineClient,
  EmitEventDocument,
  type HooklineClient,
  UpdateWebhookDocument,
} from '@hookline/client';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { eventually } from '../support/assertions.ts';
import { preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Tracing end to end, in process: an in-memory exporter given to the composition root, real
 * receivers, real PostgreSQL. The span tree of one event with a retry; the W3C trace context in
 * (on emitEvent) and out (per webhook); what spans never carry; and that nothing of the SDK runs
 * when no OTEL_* setting asks for it.
 */

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

const receivers: Receiver[] = [];
const clients: HooklineClient[] = [];
const servers: TestServer[] = [];

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(receivers.map((r) => r.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

/** A client of this organization whose requests carry these headers (a caller that traces). */
function tracingCaller(server: TestServer, apiKey: string, headers: Record<string, string>) {
  const client = createHooklineClient({
    url: server.url,
    apiKey,
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), ...headers },
      }),
  });
  clients.push(client);
  return client;
}

/** An agent and a webhook subscribed to its pre-conversation events. */
async function webhookFor(
  client: HooklineClient,
  url: string,
  settings: { sendTraceContext?: boolean } = {},
): Promise<{ agentId: string; webhookId: string; signingSecret: string; sends: boolean }> {
  const agent = (await client.request(CreateAgentDocument, { input: { name: 'Reception' } }))
    .createAgent.agent;
  const webhook = (await client.request(CreateWebhookDocument, { input: { url, ...settings } }))
    .createWebhook.webhook;
  await client.request(AttachWebhookDocument, {
    input: { webhookId: webhook.id, agentId: agent.id, events: ['PRE_CONVERSATION'] },
  });
  return {
    agentId: agent.id,
    webhookId: webhook.id,
    signingSecret: webhook.signingSecret,
    sends: webhook.sendTraceContext,
  };
}

const traceparentOf = (span: ReadableSpan) =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

const sameSpan = (
  a: { traceId: string; spanId: string } | undefined,
  b: { traceId: string; spanId: string },
) => a?.traceId === b.traceId && a?.spanId === b.spanId;

describe('tracing on (an in-memory exporter given to the composition root)', () => {
  let server: TestServer;
  const exporter = new InMemorySpanExporter();

  before(async () => {
    server = await startTestServer(
      'tracing',
      {
        HOOKLINE_RETRY_SCHEDULE: '0.2',
        HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      { tracing: { exporter } },
    );
    servers.push(server);
  });

  /** The spans exported so far that `pick` selects, once `ready` says they are all there. */
  async function spansWhen(ready: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
    return eventually(
      async () => {
        await server.hookline.tracing.flush();
        const spans = exporter.getFinishedSpans();
        return ready(spans) ? spans : undefined;
      },
      { message: 'the spans to be exported' },
    );
  }

  test('one event with a retry: operation → ingest, a batch, two attempts linked to the ingest', async () => {
    assert.equal(server.hookline.tracing.enabled, true);
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : 200).end(calls === 1 ? 'not yet' : 'ok');
    });
    const { apiKey } = await server.newOrganization('Traced');
    const owner = server.client(apiKey);
    const hook = await webhookFor(owner, `${r.url}/hooks?token=url-secret-0123`, {
      sendTraceContext: true,
    });
    assert.equal(hook.sends, true, 'the webhook says it sends trace context');

    const caller = tracingCaller(server, apiKey, { traceparent: CALLER_TRACEPARENT });
    const payload = preConversation('call_traced_payload');
    const { event } = (
      await caller.request(EmitEventDocument, {
        input: { agentId: hook.agentId, type: 'PRE_CONVERSATION', payload },
      })
    ).emitEvent;

    const requests = await r.waitFor(2);
    const spans = await spansWhen(
      (all) => all.filter((s) => s.name === 'delivery attempt').length >= 2,
    );

    // The operation continues the caller's trace.
    const operation = spans.find((s) => s.name === 'mutation EmitEvent');
    assert.ok(operation, `an operation span among ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(operation.kind, SpanKind.SERVER);
    assert.equal(operation.spanContext().traceId, CALLER_TRACE_ID);
    assert.equal(operation.parentSpanContext?.spanId, CALLER_SPAN_ID);
    assert.equal(operation.attributes['graphql.operation.type'], 'mutation');
    assert.equal(operation.attributes['graphql.operation.name'], 'EmitEvent');
    assert.equal(operation.attributes['http.response.status_code'], 200);

    // The emit's ingest span is the operation's child, and names the event it stored.
    const ingest = spans.find(
      (s) => s.name === 'event ingest' && s.attributes['hookline.event.id'] === event.id,
    );
    assert.ok(ingest, 'an ingest span for the event');
    assert.equal(ingest.kind, SpanKind.PRODUCER);
    assert.ok(
      sameSpan(ingest.parentSpanContext, operation.spanContext()),
      'child of the operation',
    );
    assert.equal(ingest.attributes['hookline.event.deliveries'], 1);
    assert.equal(ingest.attributes['hookline.event.replayed'], false);

    // Its transaction: a batch span of its own, linked both ways.
    const batch = spans.find(
      (s) =>
        s.name === 'event ingest batch' &&
        s.links.some((link) => sameSpan(link.context, ingest.spanContext())),
    );
    assert.ok(batch, 'a batch span linking to the ingest');
    assert.equal(batch.parentSpanContext, undefined, 'a root: it serves many traces');
    assert.ok(ingest.links.some((link) => sameSpan(link.context, batch.spanContext())));
    assert.equal(batch.attributes['hookline.ingest.batch_size'], 1);

    // Two attempts, each the root of its own trace, each linked to the ingest.
    const attempts = spans
      .filter(
        (s) =>
          s.name === 'delivery attempt' && s.attributes['hookline.webhook.id'] === hook.webhookId,
      )
      .sort(
        (a, b) =>
          Number(a.attributes['hookline.attempt.number']) -
          Number(b.attributes['hookline.attempt.number']),
      );
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) {
      assert.equal(attempt.kind, SpanKind.CLIENT);
      assert.equal(attempt.parentSpanContext, undefined);
      assert.ok(
        attempt.links.some((link) => sameSpan(link.context, ingest.spanContext())),
        'linked to the event’s ingest',
      );
      assert.match(String(attempt.attributes['hookline.delivery.id']), /^dlv_/);
    }
    const [first, second] = attempts as [ReadableSpan, ReadableSpan];
    assert.equal(
      first.attributes['hookline.delivery.id'],
      second.attributes['hookline.delivery.id'],
    );
    assert.deepEqual(
      attempts.map((a) => [
        a.attributes['hookline.attempt.number'],
        a.attributes['http.response.status_code'],
        a.attributes['error.type'],
        a.status.code,
      ]),
      [
        [1, 500, 'http_status', SpanStatusCode.ERROR],
        [2, 200, undefined, SpanStatusCode.UNSET],
      ],
    );

    // The receiver got each attempt's own traceparent, and the signature still verifies.
    assert.deepEqual(
      requests.map((req) => req.headers.traceparent),
      attempts.map(traceparentOf),
    );
    const verifier = new StandardWebhook(hook.signingSecret);
    for (const req of requests) assert.ok(verifier.verify(req.body, req.headers));

    // Ids and numbers only: no payload, URL, secret or key in any span.
    const recorded = JSON.stringify(
      spans.map((s) => [s.name, s.attributes, s.links.map((l) => l.attributes ?? {})]),
    );
    for (const secret of [
      'call_traced_payload',
      payload.callerPhoneNumber,
      'url-secret-0123',
      r.url,
      hook.signingSecret,
      apiKey,
    ]) {
      assert.ok(!recorded.includes(secret), `no span carries ${secret}`);
    }
  });

  test('a webhook that does not ask gets no trace headers; its attempt is traced all the same', async () => {
    const r = await receiver();
    const { client } = await server.newOrganization('Untraced endpoint');
    const hook = await webhookFor(client, `${r.url}/plain`);
    assert.equal(hook.sends, false, 'off by default');
    await client.request(EmitEventDocument, {
      input: { agentId: hook.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [request] = await r.waitFor(1);
    assert.equal(request!.headers.traceparent, undefined);
    assert.equal(request!.headers.tracestate, undefined);
    await spansWhen((all) =>
      all.some(
        (s) =>
          s.name === 'delivery attempt' && s.attributes['hookline.webhook.id'] === hook.webhookId,
      ),
    );
  });

  test('sendTraceContext: kept when left out of an update, null goes back to false', async () => {
    const { client } = await server.newOrganization('Settings');
    const hook = await webhookFor(client, 'https://example.com/hooks');
    const update = async (input: { sendTraceContext?: boolean | null; description?: string }) =>
      (await client.request(UpdateWebhookDocument, { input: { id: hook.webhookId, ...input } }))
        .updateWebhook.webhook.sendTraceContext;
    assert.equal(await update({ sendTraceContext: true }), true);
    assert.equal(await update({ description: 'renamed' }), true);
    assert.equal(await update({ sendTraceContext: null }), false);
  });

  test('a malformed traceparent on emitEvent starts a new trace; the emit succeeds', async () => {
    const r = await receiver();
    const { apiKey } = await server.newOrganization('Malformed caller');
    const hook = await webhookFor(server.client(apiKey), `${r.url}/m`);
    const caller = tracingCaller(server, apiKey, { traceparent: '00-not-a-trace-01' });
    const { event } = (
      await caller.request(EmitEventDocument, {
        input: { agentId: hook.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
      })
    ).emitEvent;
    const spans = await spansWhen((all) =>
      all.some((s) => s.name === 'event ingest' && s.attributes['hookline.event.id'] === event.id),
    );
    const ingest = spans.find((s) => s.attributes['hookline.event.id'] === event.id)!;
    const operation = spans.find((s) => sameSpan(s.spanContext(), ingest.parentSpanContext!));
    assert.ok(operation, 'the ingest has its operation as parent');
    assert.equal(operation.parentSpanContext, undefined, 'the operation is a root');
    await r.waitFor(1);
  });
});

describe('tracing off (no OTEL_* setting)', () => {
  test('no SDK is started: spans record nothing, no trace is stored or sent', async () => {
    const server = await startTestServer('tracing_off', { HOOKLINE_RETRY_SCHEDULE: '0.2' });
    servers.push(server);
    const { tracing } = server.hookline;
    assert.equal(tracing.enabled, false);
    const span = tracing.tracer.startSpan('probe');
    assert.equal(span.isRecording(), false, 'the tracer is a no-op');
    assert.equal(span.spanContext().traceId, '00000000000000000000000000000000');
    span.end();

    const r = await receiver();
    const { apiKey } = await server.newOrganization('Untraced');
    const hook = await webhookFor(server.client(apiKey), `${r.url}/off`, {
      sendTraceContext: true,
    });
    const caller = tracingCaller(server, apiKey, { traceparent: CALLER_TRACEPARENT });
    const { event } = (
      await caller.request(EmitEventDocument, {
        input: { agentId: hook.agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
      })
    ).emitEvent;
    const [request] = await r.waitFor(1);
    assert.equal(request!.headers.traceparent, undefined, 'nothing to name: no header');
    const row = await server.hookline.database.db
      .selectFrom('events')
      .select('traceparent')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.traceparent, null);
  });
});

describe('tracing to an OTLP endpoint named by the OTEL_* variables', () => {
  test('spans reach the collector as OTLP/JSON, with the configured headers and resource', async () => {
    const collector = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    receivers.push(collector);
    const server = await startTestServer('tracing_otlp', {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=tok%20en',
      OTEL_SERVICE_NAME: 'hookline-under-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    servers.push(server);
    assert.equal(server.hookline.tracing.enabled, true);
    const { client } = await server.newOrganization('Exported');
    const agent = (await client.request(CreateAgentDocument, { input: { name: 'Front desk' } }))
      .createAgent.agent;
    const { event } = (
      await client.request(EmitEventDocument, {
        input: { agentId: agent.id, type: 'PRE_CONVERSATION', payload: preConversation() },
      })
    ).emitEvent;

    interface OtlpAttribute {
      key: string;
      value: { stringValue?: string };
    }
    interface OtlpExport {
      resourceSpans: Array<{
        resource: { attributes: OtlpAttribute[] };
        scopeSpans: Array<{ spans: Array<{ name: string; attributes: OtlpAttribute[] }> }>;
      }>;
    }
    const exported = await eventually(
      () =>
        collector.requests.find((req) =>
          (JSON.parse(req.body) as OtlpExport).resourceSpans.some((rs) =>
            rs.scopeSpans.some((ss) =>
              ss.spans.some(
                (s) =>
                  s.name === 'event ingest' &&
                  s.attributes.some((a) => a.value.stringValue === event.id),
              ),
            ),
          ),
        ),
      { message: 'the ingest span at the collector' },
    );
    assert.equal(exported.path, '/v1/traces');
    assert.equal(exported.method, 'POST');
    assert.match(exported.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(exported.headers['x-collector-token'], 'tok en');
    const resource = Object.fromEntries(
      (JSON.parse(exported.body) as OtlpExport).resourceSpans[0]!.resource.attributes.map((a) => [
        a.key,
        a.value.stringValue,
      ]),
    );
    assert.equal(resource['service.name'], 'hookline-under-test');
    assert.equal(resource['deployment.environment.name'], 'test');
    assert.equal(resource['hookline.role'], 'all');
  });

  test('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf sends protobuf to the same path', async () => {
    const collector = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
    receivers.push(collector);
    const server = await startTestServer('tracing_otlp_proto', {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    servers.push(server);
    const { client } = await server.newOrganization('Exported as protobuf');
    const agent = (await client.request(CreateAgentDocument, { input: { name: 'Front desk' } }))
      .createAgent.agent;
    const { event } = (
      await client.request(EmitEventDocument, {
        input: { agentId: agent.id, type: 'PRE_CONVERSATION', payload: preConversation() },
      })
    ).emitEvent;
    // Protobuf keeps strings as their UTF-8 bytes: the event id stands in the body as written.
    const exported = await eventually(
      () => collector.requests.find((req) => req.body.includes(event.id)),
      { message: 'a protobuf export naming the event' },
    );
    assert.equal(exported.path, '/v1/traces');
    assert.equal(exported.headers['content-type'], 'application/x-protobuf');
    assert.throws(() => JSON.parse(exported.body));
  });
});
