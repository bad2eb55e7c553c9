import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AgentDocument,
  DeliveryDocument,
  EmitEventDocument,
  type HooklineClient,
  RequestCallSetupDocument,
  SendTestEventDocument,
  WebhookDocument,
} from '@hookline/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from '../support/assertions.ts';
import { preConversation } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, screenshot, watchConsole } from './browser.ts';
import { hasPythonFlask, runNodeSnippet, runPythonSnippet } from './snippets.ts';

/**
 * The dashboard in a real browser against a real Hookline and a real receiver: what a person
 * does on the first day, screen by screen. Each step builds on the one before it.
 */
describe('dashboard', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let client: HooklineClient;
  let apiKey: string;
  let webhookId = '';
  let agentId = '';
  const snippets = { python: '', node: '' };
  const consoleProblems: string[] = [];
  const webhookUrl = () => `${receiver.url}/hooks/front-desk`;

  before(async () => {
    [server, receiver, browser] = await Promise.all([
      startTestServer('dashboard'),
      startReceiver(),
      launchChromium(),
    ]);
    ({ client, apiKey } = await server.newOrganization('Acme Voice'));
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    consoleProblems.push(...watchConsole(page));
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  const navigate = (target: Page, name: 'Webhooks' | 'Agents' | 'Live') =>
    target.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();

  async function signIn(target: Page, key: string): Promise<void> {
    await target.getByLabel('API key').fill(key);
    await target.getByLabel('API key').press('Enter');
  }

  it('signs in with an organization key, after refusing a wrong one', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Hookline' }).waitFor();
    await screenshot(page, 'sign-in');

    await signIn(page, 'hkl_not-a-real-key-0000000000000000000000');
    await page.getByText('That API key was not accepted').waitFor();
    assert.equal(await page.getByLabel('API key').getAttribute('aria-invalid'), 'true');

    await signIn(page, apiKey);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByText('Acme Voice').waitFor();
    // The key is kept for this tab only.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('hookline.apiKey')), apiKey);
  });

  it('creates an agent', async () => {
    await navigate(page, 'Agents');
    await page.getByRole('heading', { name: 'Agents' }).waitFor();
    await page.getByLabel("New agent's name").fill('Reception');
    await page.getByRole('button', { name: 'Create agent' }).click();
    const link = page.getByTestId('agents-table').getByRole('link', { name: 'Reception' });
    await link.waitFor();
    agentId = (await link.getAttribute('href'))!.replace('#/agents/', '');
    assert.match(agentId, /^agt_/);
  });

  it('explains a rejected URL next to the field, then creates the webhook', async () => {
    await navigate(page, 'Webhooks');
    await page.getByText('No webhooks yet').waitFor();
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.locator('#create-webhook');
    // A URL the browser accepts but the API refuses: the API's field error shows on the field.
    await form.getByLabel('URL').fill('ftp://files.example.com/hooks');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await form.getByText('must use http or https').first().waitFor();
    assert.equal(await form.getByLabel('URL').getAttribute('aria-invalid'), 'true');

    await form.getByLabel('URL').fill(webhookUrl());
    await form.getByLabel('Description').fill('Front desk bookings');
    await form.getByRole('button', { name: 'Create webhook' }).click();

    // The new webhook's verification code, filled with its secret.
    const panel = page.locator('#created-webhook');
    await panel.getByRole('tab', { name: 'Python (Flask)' }).waitFor();
    const row = page.getByTestId('webhooks-table').locator('tr', { hasText: webhookUrl() });
    webhookId = (await row.getAttribute('data-webhook-id'))!;
    const { signingSecret } = (await client.request(WebhookDocument, { id: webhookId })).webhook!;
    snippets.python = (await panel.locator('code[data-snippet=python]').textContent()) ?? '';
    assert.ok(snippets.python.includes(signingSecret), 'the Python code carries the secret');
    // Tabs follow the arrow keys.
    await panel.getByRole('tab', { name: 'Python (Flask)' }).press('ArrowRight');
    await panel.locator('code[data-snippet=node]').waitFor();
    snippets.node = (await panel.locator('code[data-snippet=node]').textContent()) ?? '';
    assert.ok(snippets.node.includes(signingSecret), 'the Node code carries it');
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'enabled');
  });

  it("attaches the webhook on the agent's page, then changes its events", async () => {
    await page.goto(`${server.url}/#/agents/${agentId}`);
    await page.getByRole('heading', { name: 'Reception' }).waitFor();
    const attach = page.locator('form', { has: page.getByLabel('Webhook', { exact: true }) });
    await attach.getByLabel('Webhook', { exact: true }).selectOption(webhookId);
    // Only pre-conversation at first.
    await attach.getByRole('checkbox', { name: /post-conversation/ }).uncheck();
    await attach.getByRole('checkbox', { name: /analytics-completed/ }).uncheck();
    await attach.getByRole('button', { name: 'Attach webhook' }).click();
    const item = page
      .getByTestId('agent-subscriptions')
      .locator(`li[data-webhook-id="${webhookId}"]`);
    await item.waitFor();
    assert.deepEqual(await subscribedEvents(), ['PRE_CONVERSATION']);

    // Attaching again replaces the events.
    await item.getByRole('checkbox', { name: /analytics-completed/ }).check();
    await item.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/now gets pre-conversation, analytics-completed/).waitFor();
    assert.deepEqual((await subscribedEvents()).sort(), [
      'ANALYTICS_COMPLETED',
      'PRE_CONVERSATION',
    ]);
    await screenshot(page, 'agent-webhooks');
  });

  async function subscribedEvents(): Promise<string[]> {
    const agent = (await client.request(AgentDocument, { id: agentId })).agent!;
    return agent.subscriptions.find((s) => s.webhook.id === webhookId)?.events ?? [];
  }

  let live: Page;

  it('shows a test event’s attempt in the live feed as it happens, without reloading', async () => {
    // A second window on the live screen (a window of its own, so that neither is a background
    // tab that Chromium throttles; session storage is per tab, so it signs in too).
    const liveWindow = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    liveWindow.setDefaultTimeout(10_000);
    live = await liveWindow.newPage();
    consoleProblems.push(...watchConsole(live));
    await live.goto(`${server.url}/#/live`);
    await signIn(live, apiKey);
    await live.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    await live.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });

    // The first tab sends a test event from the webhook's page.
    await page.goto(`${server.url}/#/webhooks/${webhookId}`);
    await page.getByRole('heading', { name: webhookUrl() }).waitFor();
    await page.getByRole('combobox', { name: 'Test event' }).selectOption('PRE_CONVERSATION');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const [request] = await receiver.waitFor(1);
    assert.ok(request);

    const row = live
      .getByTestId('live-feed')
      .locator(`tr[data-webhook-id="${webhookId}"]`, { hasText: 'HTTP 200' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /pre-conversation/);
    assert.equal(
      await live.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
      true,
      'the live tab was not reloaded',
    );

    // The webhook's page refreshes its pending delivery by itself; the attempt has the details.
    await page.getByTestId('webhook-health').getByText('100%').waitFor();
    const delivery = page.getByTestId('deliveries').locator('li[data-status="SUCCEEDED"]');
    await delivery.waitFor();
    await delivery.getByRole('button', { name: /attempts of/ }).click();
    await delivery.getByRole('cell', { name: 'HTTP 200' }).waitFor();
    await delivery.getByRole('cell', { name: 'ok', exact: true }).waitFor();
    await screenshot(page, 'webhook-details');
  });

  it('filters the live feed by agent', async () => {
    await live.getByLabel('Agent').selectOption(agentId);
    await live.waitForURL(/agent=agt_/);
    await live.getByText('Waiting for delivery attempts of this agent').waitFor();

    // A test event belongs to no agent: once it is delivered, it must not have shown up.
    const { delivery } = (
      await client.request(SendTestEventDocument, {
        input: { webhookId, type: 'ANALYTICS_COMPLETED' },
      })
    ).sendTestEvent;
    await eventually(
      async () =>
        (await client.request(DeliveryDocument, { id: delivery.id })).delivery?.status ===
          'SUCCEEDED' || undefined,
      { message: 'the test delivery to succeed' },
    );
    await client.request(EmitEventDocument, {
      input: { agentId, type: 'PRE_CONVERSATION', payload: preConversation('call_live') },
    });
    const rows = live.getByTestId('live-feed').locator('tbody tr');
    await rows.filter({ hasText: 'Reception' }).waitFor();
    assert.equal(await rows.count(), 1, "only the agent's attempt is in the feed");
    await screenshot(live, 'live');
  });

  it('disables and enables the webhook in place', async () => {
    await navigate(page, 'Webhooks');
    const row = page.getByTestId('webhooks-table').locator(`tr[data-webhook-id="${webhookId}"]`);
    await row.getByText('100%').waitFor();
    await screenshot(page, 'webhooks');

    await row.getByRole('button', { name: /^Disable/ }).click();
    await row.locator('[data-status="disabled"]').getByText('Disabled').waitFor();
    assert.equal(
      (await client.request(WebhookDocument, { id: webhookId })).webhook?.enabled,
      false,
    );

    await row.getByRole('button', { name: /^Enable/ }).click();
    await row.locator('[data-status="enabled"]').getByText('Enabled').waitFor();
    assert.equal((await client.request(WebhookDocument, { id: webhookId })).webhook?.enabled, true);
  });

  it("makes the webhook the agent's call-setup responder, with a fallback; marks its call setups", async () => {
    await page.goto(`${server.url}/#/agents/${agentId}`);
    const item = page
      .getByTestId('agent-subscriptions')
      .locator(`li[data-webhook-id="${webhookId}"]`);
    await item.getByRole('checkbox', { name: /Answers call setups/ }).check();
    await item.getByRole('button', { name: 'Save', exact: true }).click();
    await item.getByText('Call-setup responder').waitFor();
    const agent = async () => (await client.request(AgentDocument, { id: agentId })).agent!;
    assert.equal((await agent()).subscriptions[0]?.respondsToCallSetup, true);
    assert.deepEqual((await agent()).subscriptions[0]?.events.sort(), [
      'ANALYTICS_COMPLETED',
      'PRE_CONVERSATION',
    ]);

    // The fallback editor refuses what is not an object of scalars, next to the field.
    const fallback = page.locator('form', { has: page.getByLabel('Variables') });
    await fallback.getByLabel('Variables').fill('{"customer": {"name": "Ada"}}');
    await fallback.getByRole('button', { name: 'Save fallback' }).click();
    await fallback.getByText('customer: values must be strings, numbers or booleans').waitFor();
    assert.equal(await fallback.getByLabel('Variables').getAttribute('aria-invalid'), 'true');
    await fallback.getByLabel('Variables').fill('{"greeting": "Hello!", "vip": false}');
    await fallback.getByRole('button', { name: 'Save fallback' }).click();
    await page.getByText('Call-setup fallback saved').waitFor();
    assert.deepEqual((await agent()).callSetupFallback, { greeting: 'Hello!', vip: false });
    await screenshot(page, 'agent-call-setup');

    // A call setup's delivery is marked as such on the webhook's page, and not redelivered.
    const { setup } = (
      await client.request(RequestCallSetupDocument, {
        input: { agentId, payload: preConversation('call_setup_1') },
      })
    ).requestCallSetup;
    // The receiver answers "ok", which is not an answer: the fallback applies.
    assert.equal(setup.reason, 'invalid_json');
    await page.goto(`${server.url}/#/webhooks/${webhookId}`);
    const delivery = page.getByTestId('deliveries').locator('li[data-kind="CALL_SETUP"]');
    await delivery.getByText('Call setup').waitFor();
    assert.equal(await delivery.getByRole('button', { name: /^Redeliver/ }).count(), 0);
    await delivery.getByRole('button', { name: /attempts of/ }).click();
    await delivery.getByRole('cell', { name: 'HTTP 200 · invalid_json' }).waitFor();
  });

  it("turns ordering by call on in the webhook's edit form", async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('checkbox', { name: /Order by call/ }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('webhook-order-by-call').getByText('On').waitFor();
    assert.equal(
      (await client.request(WebhookDocument, { id: webhookId })).webhook?.orderByCall,
      true,
    );
    await navigate(page, 'Webhooks');
  });

  it('deletes a webhook only after confirmation', async () => {
    await page.getByRole('button', { name: 'New webhook' }).click();
    await page.locator('#create-webhook').getByLabel('URL').fill(`${receiver.url}/spare`);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const row = page
      .getByTestId('webhooks-table')
      .locator('tr', { hasText: `${receiver.url}/spare` });
    await row.waitFor();

    await row.getByRole('button', { name: /^Delete/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await row.count(), 1, 'cancelled: still there');

    await row.getByRole('button', { name: /^Delete/ }).click();
    await dialog.getByRole('button', { name: 'Delete webhook' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('lists the agent with its webhook', async () => {
    await navigate(page, 'Agents');
    await page.getByTestId('agents-table').getByRole('link', { name: webhookUrl() }).waitFor();
    await screenshot(page, 'agents');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await navigate(page, 'Webhooks');
    const row = page.getByTestId('webhooks-table').locator(`tr[data-webhook-id="${webhookId}"]`);
    await row.waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling at phone width (page is ${width}px wide)`);
    await screenshot(page, 'webhooks-phone');
  });

  it('hands out Node code that accepts a real delivery and refuses a forged one', async () => {
    await runNodeSnippet(snippets.node, receiver.requests[0]!);
  });

  it('hands out Flask code that accepts a real delivery and refuses a forged one', {
    skip: hasPythonFlask ? false : 'python3 with Flask is not installed',
  }, async () => {
    await runPythonSnippet(snippets.python, receiver.requests[0]!);
  });

  it('logged no errors in the browser console', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
