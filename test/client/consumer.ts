/**
 * An integrator's program, written as it would be outside this repository: it imports the
 * installed package by name. package.test.ts copies it into a scratch project and runs it
 * compiled by tsc, and with its types stripped as a plain .mjs file, on two versions of Node.
 * It prints one JSON line of what it saw.
 */
import {
  CreateWebhookDocument,
  CurrentOrganizationDocument,
  createHooklineClient,
  DeliveryAttemptsDocument,
  HooklineRequestError,
  SendTestEventDocument,
} from '@hookline/client';
import WebSocket from 'ws';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// Node >= 22 has a WebSocket built in; Node 20 needs the ws package's.
const builtIn = (globalThis as { WebSocket?: unknown }).WebSocket;
const hookline = createHooklineClient({
  url: env('HOOKLINE_URL'),
  apiKey: env('HOOKLINE_API_KEY'),
  webSocketImpl: builtIn ?? WebSocket,
});

const current = await hookline.request(CurrentOrganizationDocument);
const organizationId: string | undefined = current.organization?.id;

let badInputCode: string | undefined;
try {
  await hookline.request(CreateWebhookDocument, { input: { url: 'not a url' } });
} catch (error) {
  if (!(error instanceof HooklineRequestError)) throw error;
  badInputCode = error.code;
}

const { createWebhook } = await hookline.request(CreateWebhookDocument, {
  input: { url: env('RECEIVER_URL'), description: 'installed from the tarball' },
});
const webhookId: string = createWebhook.webhook.id;

const attempts = hookline.subscribe(DeliveryAttemptsDocument, { webhookId });
const first = attempts.next();
// A subscription is not acknowledged: send test events until the first attempt shows up.
let arrived: Awaited<typeof first> | undefined;
for (let sent = 0; !arrived; sent++) {
  if (sent === 100) throw new Error('no delivery attempt arrived on the subscription');
  await hookline.request(SendTestEventDocument, { input: { webhookId, type: 'PRE_CONVERSATION' } });
  arrived = await Promise.race([
    first,
    new Promise<undefined>((resolve) => setTimeout(resolve, 200)),
  ]);
}
await attempts.return?.();
await hookline.close();

const attempt = arrived.done ? undefined : arrived.value.deliveryAttempts;
console.log(
  JSON.stringify({
    node: process.version,
    webSocket: builtIn ? 'built-in' : 'ws',
    organizationId,
    badInputCode,
    webhookId,
    attempt: attempt && {
      webhookId: attempt.delivery.webhook.id,
      responseStatus: attempt.responseStatus,
    },
  }),
);
