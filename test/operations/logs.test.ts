import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  AttachWebhookDocument,
  CreateAgentDocument,
  CreateApiKeyDocument,
  CreateOrganizationDocument,
  CreateWebhookDocument,
  createHooklineClient,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
  HooklineRequestError,
  RotateWebhookSecretDocument,
} from '@hookline/client';
import { eventually } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { preConversation } from '../support/fixtures.ts';
import { killAllProcesses, startHooklineProcess } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { TEST_ADMIN_KEY } from '../support/server.ts';

let database: TestDatabase | undefined;
let receiver: Receiver | undefined;
after(async () => {
  await killAllProcesses();
  await receiver?.close();
  await database?.drop();
});

type LogLine = Record<string, unknown> & { msg: string; level: number };

test('the log of a full run has a line per request and per attempt, and no key or secret', async () => {
  database = await createTestDatabase('logs');
  receiver = await startReceiver();
  // debug: the most verbose level an operator would turn on, so the redaction is tested there.
  const hookline = await startHooklineProcess({
    DATABASE_URL: database.url,
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
    HOOKLINE_ALLOW_NETWORKS: '127.0.0.0/8',
    LOG_LEVEL: 'debug',
  });
  await hookline.waitReady();

  const operator = createHooklineClient({ url: hookline.url, apiKey: TEST_ADMIN_KEY });
  const org = (await operator.request(CreateOrganizationDocument, { input: { name: 'Log test' } }))
    .createOrganization;
  const client = createHooklineClient({ url: hookline.url, apiKey: org.apiKey });
  const second = (await client.request(CreateApiKeyDocument, { input: { name: 'ci' } }))
    .createApiKey;
  const agent = (await client.request(CreateAgentDocument, { input: { name: 'Reception' } }))
    .createAgent.agent;
  const webhook = (await client.request(CreateWebhookDocument, { input: { url: receiver.url } }))
    .createWebhook.webhook;
  const rotated = (await client.request(RotateWebhookSecretDocument, { input: { id: webhook.id } }))
    .rotateWebhookSecret.webhook;
  await client.request(AttachWebhookDocument, {
    input: { webhookId: webhook.id, agentId: agent.id, events: ['PRE_CONVERSATION'] },
  });
  await client.request(EmitEventDocument, {
    input: { agentId: agent.id, type: 'PRE_CONVERSATION', payload: preConversation() },
  });
  await receiver.waitFor(1);
  const [edge] = (await client.request(DeliveriesDocument, { webhookId: webhook.id })).deliveries
    .edges;
  const delivery = await eventually(async () => {
    const d = (await client.request(DeliveryDocument, { id: edge!.node.id })).delivery;
    return d?.status === 'SUCCEEDED' ? d : undefined;
  });
  // A refused key, and a request carrying its own request id.
  const stranger = createHooklineClient({ url: hookline.url, apiKey: `hkl_${'x'.repeat(43)}` });
  await assert.rejects(
    stranger.request(DeliveriesDocument, {}),
    (error: unknown) => error instanceof HooklineRequestError && error.code === 'UNAUTHENTICATED',
  );
  const tagged = await fetch(`${hookline.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${second.apiKey}`,
      'x-request-id': 'req-from-the-client-42',
    },
    body: JSON.stringify({ query: 'query Mine { organization { id } }' }),
  });
  assert.equal(tagged.headers.get('x-request-id'), 'req-from-the-client-42');
  await tagged.body?.cancel();
  // Refused before its parameters are read: still one line, with its status.
  const malformed = await fetch(`${hookline.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-malformed' },
    body: '{"query": ',
  });
  assert.equal(malformed.status, 400);
  await malformed.body?.cancel();
  await Promise.all([operator.close(), client.close(), stranger.close()]);
  assert.equal(await hookline.stop(), 0);

  const output = hookline.output();
  // Secrets: what the API handed out, and what the process was configured with.
  const secrets = {
    'organization key': org.apiKey,
    'second key': second.apiKey,
    'operator key': TEST_ADMIN_KEY,
    'first signing secret': webhook.signingSecret,
    'first secret, base64 part': webhook.signingSecret.replace(/^whsec_/, ''),
    'rotated signing secret': rotated.signingSecret,
    'rotated secret, base64 part': rotated.signingSecret.replace(/^whsec_/, ''),
  };
  for (const [what, value] of Object.entries(secrets)) {
    assert.ok(value.length >= 24, `${what} looks like a real secret`);
    assert.ok(!output.includes(value), `the log contains the ${what}`);
  }

  // Every line is JSON.
  const lines = output
    .split('\n')
    .filter((line) => line.trim())
    .map((line): LogLine => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return assert.fail(`not a JSON log line: ${line}`);
      }
    });

  const requests = lines.filter((l) => l.msg === 'graphql request');
  const byOperation = (name: string) => requests.filter((l) => l.operationName === name);
  for (const name of [
    'CreateOrganization',
    'CreateApiKey',
    'CreateWebhook',
    'RotateWebhookSecret',
    'EmitEvent',
  ]) {
    const [line] = byOperation(name);
    assert.ok(line, `a request line for ${name}`);
    assert.equal(typeof line.requestId, 'string');
    assert.equal(line.operationType, 'mutation');
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(line.status, 200);
    assert.deepEqual(line.errorCodes, []);
    if (name !== 'CreateOrganization') assert.equal(line.organizationId, org.organization.id);
  }
  assert.equal(byOperation('CreateOrganization')[0]!.viewer, 'operator');
  const refused = byOperation('Deliveries').find((l) => l.viewer === 'anonymous');
  assert.deepEqual(refused?.errorCodes, ['UNAUTHENTICATED']);
  const mine = byOperation('Mine')[0];
  assert.equal(mine?.requestId, 'req-from-the-client-42');
  assert.equal(mine?.operationType, 'query');
  assert.equal(mine?.organizationId, org.organization.id);
  const refusedEarly = requests.find((l) => l.requestId === 'req-malformed');
  assert.equal(refusedEarly?.status, 400);
  assert.equal(refusedEarly?.operationName, null);
  assert.equal(new Set(requests.map((l) => l.requestId)).size, requests.length, 'ids are unique');

  const attempts = lines.filter((l) => l.msg === 'delivery attempt');
  assert.equal(attempts.length, 1);
  assert.deepEqual(
    {
      organizationId: attempts[0]!.organizationId,
      webhookId: attempts[0]!.webhookId,
      deliveryId: attempts[0]!.deliveryId,
      attemptId: attempts[0]!.attemptId,
      attemptNumber: attempts[0]!.attemptNumber,
      status: attempts[0]!.status,
      outcome: attempts[0]!.outcome,
      errorKind: attempts[0]!.errorKind,
    },
    {
      organizationId: org.organization.id,
      webhookId: webhook.id,
      deliveryId: delivery.id,
      attemptId: delivery.attempts[0]!.id,
      attemptNumber: 1,
      status: 200,
      outcome: 'success',
      errorKind: null,
    },
  );
  assert.equal(typeof attempts[0]!.durationMs, 'number');
});

test('redaction is configuration: secrets in the objects our code logs are censored wherever they sit', async () => {
  const { createLogger } = await import('../../src/shared/logger.ts');
  const { parseConfig } = await import('../../src/config/config.ts');
  let written = '';
  const logger = createLogger({
    level: 'trace',
    destination: {
      write: (chunk: string) => {
        written += chunk;
      },
    },
  });
  const secret = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEyMzQ1Njc4OTAxMjM0NTY=';
  const previous = 'whsec_cHJldmlvdXMtc2lnbmluZy1rZXktMTIzNDU2Nzg5MDEyMzQ=';
  const apiKey = `hkl_${'k'.repeat(43)}`;
  const webhook = { id: 'whk_1', signingSecret: secret, previousSigningSecret: previous };
  const config = parseConfig({
    DATABASE_URL: 'postgres://hookline:db-password-123@db.internal:5432/hookline',
    HOOKLINE_ADMIN_KEY: TEST_ADMIN_KEY,
  });
  // Shapes that exist in the code: a webhook, the worker's delivery context, an issued key,
  // the configuration, request headers, signing inputs.
  logger.info({ webhook }, 'webhook');
  logger.info({ context: { webhook, delivery: { id: 'dlv_1' } } }, 'context');
  logger.info({ apiKey, organization: { id: 'org_1' } }, 'issued');
  logger.info({ issued: { apiKey } }, 'nested issue');
  logger.info({ config }, 'config');
  logger.info({ req: { headers: { authorization: `Bearer ${apiKey}` } } }, 'request');
  logger.info({ request: { headers: { authorization: `Bearer ${apiKey}` } } }, 'request');
  logger.info({ signing: { secrets: [secret, previous] } }, 'signing');
  logger.info({ connectionParams: { authorization: `Bearer ${apiKey}` } }, 'ws');
  logger.info({ connectionString: config.databaseUrl }, 'db');
  for (const value of [
    secret,
    secret.slice(6),
    previous.slice(6),
    apiKey,
    TEST_ADMIN_KEY,
    'db-password-123',
  ]) {
    assert.ok(!written.includes(value), `${value} was logged:\n${written}`);
  }
  assert.equal(written.trim().split('\n').length, 10);
  assert.match(written, /\[redacted\]/);
});
