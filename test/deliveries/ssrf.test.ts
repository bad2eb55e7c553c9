import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateWebhookDocument,
  DeliveriesDocument,
  DeliveryDocument,
  EmitEventDocument,
} from '@hookline/client';
import { eventually, expectCode } from '../support/assertions.ts';
import { agentWithWebhook, preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let receiver: Receiver;

before(async () => {
  // No allow list: the production default, where loopback and private ranges are refused.
  server = await startTestServer('ssrf', {
    HOOKLINE_ALLOW_NETWORKS: '',
    HOOKLINE_RETRY_SCHEDULE: '60',
  });
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await server.stop();
});

const port = () => new URL(receiver.url).port;
const targets: Array<[string, () => string]> = [
  ['loopback IPv4', () => `http://127.0.0.1:${port()}/`],
  ['localhost by name', () => `http://localhost:${port()}/`],
  ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/`],
  ['decimal IPv4 literal', () => `http://2130706433:${port()}/`],
  ['hex IPv4 literal', () => `http://0x7f.1:${port()}/`],
  ['cloud metadata (link-local)', () => 'http://169.254.169.254/latest/meta-data/'],
  ['private 10/8', () => 'http://10.0.0.1/'],
  ['IPv6 unique-local', () => 'http://[fd00::1]/'],
];

/**
 * createWebhook refuses IP literals that delivery would refuse (webhook-address.ts), so for
 * those the URL is put in place behind the API's back: the guard at delivery must hold anyway
 * (a host name resolving there, a webhook stored before HOOKLINE_ALLOW_NETWORKS changed).
 */
async function webhookPointingAt(client: Parameters<typeof agentWithWebhook>[0], url: string) {
  const literal = !url.includes('localhost');
  if (literal) {
    const refused = await expectCode(
      client.request(CreateWebhookDocument, { input: { url } }),
      'BAD_USER_INPUT',
    );
    assert.equal(refused.errors[0]?.extensions?.field, 'url');
  }
  const created = await agentWithWebhook(client, literal ? 'https://example.com/hooks' : url);
  if (literal) {
    await server.hookline.database.db
      .updateTable('webhooks')
      .set({ url })
      .where('id', '=', created.webhookId)
      .execute();
  }
  return created;
}

for (const [label, target] of targets) {
  test(`${label}: recorded as blocked, nothing contacted`, async () => {
    const { client } = await server.newOrganization();
    const { agentId, webhookId } = await webhookPointingAt(client, target());
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation() },
    });
    const [delivery] = (await client.request(DeliveriesDocument, { webhookId })).deliveries.edges;
    const attempt = await eventually(async () => {
      const d = (await client.request(DeliveryDocument, { id: delivery!.node.id })).delivery;
      return d?.attempts[0];
    });
    assert.equal(attempt.errorKind, 'blocked_address', attempt.error ?? '');
    assert.match(attempt.error ?? '', /HOOKLINE_ALLOW_NETWORKS/);
    assert.equal(attempt.responseStatus, null);
    assert.equal(receiver.requests.length, 0);
  });
}
