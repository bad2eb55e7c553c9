import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateWebhookDocument,
  DeliveriesDocument,
  type HooklineClient,
  SendTestEventDocument,
  WebhookDocument,
} from '@hookline/client';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../support/assertions.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, screenshot, watchConsole } from './browser.ts';

/**
 * Isolation in the dashboard, in a real browser against a real Hookline: a webhook's delivery
 * settings shown and edited, and an endpoint whose circuit opened, on its page and in the list.
 * The circuit opens after two failures and waits ten minutes before its first probe, so that it
 * stays open while the test looks. Each test has its own organization.
 */
describe('dashboard isolation', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let failing = false;

  before(async () => {
    [server, receiver, browser] = await Promise.all([
      startTestServer('dashboard_isolation', {
        HOOKLINE_CIRCUIT_FAILURE_THRESHOLD: '2',
        HOOKLINE_CIRCUIT_PROBE_SECONDS: '600',
        HOOKLINE_CIRCUIT_MAX_PROBE_SECONDS: '600',
        HOOKLINE_RETRY_SCHEDULE: '0.2,0.2,0.2',
      }),
      startReceiver((_request, res) => {
        res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
        res.end(failing ? 'down for maintenance' : 'ok');
      }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  async function openSignedIn(
    apiKey: string,
    hash: string,
  ): Promise<{ page: Page; consoleProblems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);
    await page.goto(`${server.url}/${hash}`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return { page, consoleProblems };
  }

  async function newWebhook(client: HooklineClient, path: string) {
    const { webhook } = (
      await client.request(CreateWebhookDocument, { input: { url: `${receiver.url}${path}` } })
    ).createWebhook;
    return webhook;
  }

  const setting = (page: Page, name: string) =>
    page.getByTestId('webhook-settings').locator(`[data-setting=${name}]`);

  it("edits a webhook's delivery settings, refusing a value out of range on its field", async () => {
    const { client, apiKey } = await server.newOrganization();
    const webhook = await newWebhook(client, '/settings');
    const { page, consoleProblems } = await openSignedIn(apiKey, `#/webhooks/${webhook.id}`);

    // The server's defaults, as the webhook has them.
    await setting(page, 'maxConcurrency').getByText('8', { exact: true }).waitFor();
    await setting(page, 'rateLimitPerSecond').getByText('No limit').waitFor();
    await setting(page, 'timeoutMs').getByText('15 s', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit webhook' });
    assert.equal(await form.getByLabel('Attempts at once').inputValue(), '8');
    assert.equal(await form.getByLabel('Rate limit (per second)').inputValue(), '');

    // Zero attempts at once: the API refuses it, the field says why, nothing changes.
    await form.getByLabel('Attempts at once').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    const field = form.locator('.field', { has: page.getByLabel('Attempts at once') });
    await field
      .locator('.field-error', { hasText: 'must be a whole number from 1 to 64' })
      .waitFor();
    assert.equal(await form.getByLabel('Attempts at once').getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('name')),
      'maxConcurrency',
      'focus moved to the refused field',
    );
    assert.equal(
      (await client.request(WebhookDocument, { id: webhook.id })).webhook?.maxConcurrency,
      8,
    );

    await form.getByLabel('Attempts at once').fill('3');
    await form.getByLabel('Rate limit (per second)').fill('20');
    await form.getByLabel('Timeout (ms)').fill('2500');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await setting(page, 'maxConcurrency').getByText('3', { exact: true }).waitFor();
    await setting(page, 'rateLimitPerSecond').getByText('20 per second').waitFor();
    await setting(page, 'timeoutMs').getByText('2.5 s', { exact: true }).waitFor();
    const saved = (await client.request(WebhookDocument, { id: webhook.id })).webhook!;
    assert.deepEqual(
      [saved.maxConcurrency, saved.rateLimitPerSecond, saved.timeoutMs],
      [3, 20, 2500],
    );

    // Emptied fields go back to the defaults; the one left alone keeps its value.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await form.getByLabel('Rate limit (per second)').fill('');
    await form.getByLabel('Timeout (ms)').fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await setting(page, 'rateLimitPerSecond').getByText('No limit').waitFor();
    await setting(page, 'timeoutMs').getByText('15 s', { exact: true }).waitFor();
    const reset = (await client.request(WebhookDocument, { id: webhook.id })).webhook!;
    assert.deepEqual(
      [reset.maxConcurrency, reset.rateLimitPerSecond, reset.timeoutMs],
      [3, null, 15_000],
    );
    assert.deepEqual(consoleProblems, []);
  });

  it('creates a webhook with delivery settings, opening them to show a refused one', async () => {
    const { client, apiKey } = await server.newOrganization();
    const { page, consoleProblems } = await openSignedIn(apiKey, '#/webhooks');
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.locator('#create-webhook');
    await form.getByLabel('URL').fill(`${receiver.url}/created`);
    const disclosure = form.locator('details', { hasText: 'Delivery settings' });
    await disclosure.locator('summary').click();
    await form.getByLabel('Timeout (ms)').fill('50');
    // Folded away again before sending: the refusal unfolds it, to show the field's error.
    await disclosure.locator('summary').click();
    assert.equal(await form.getByLabel('Timeout (ms)').isVisible(), false);
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await form.getByText('must be a whole number from 100 to 15000 ms').first().waitFor();
    assert.equal(await form.getByLabel('Timeout (ms)').isVisible(), true);
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('name')),
      'timeoutMs',
    );

    await form.getByLabel('Timeout (ms)').fill('3000');
    await form.getByLabel('Rate limit (per second)').fill('5');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const row = page
      .getByTestId('webhooks-table')
      .locator('tr', { hasText: `${receiver.url}/created` });
    await row.waitFor();
    const id = (await row.getAttribute('data-webhook-id'))!;
    const created = (await client.request(WebhookDocument, { id })).webhook!;
    assert.deepEqual(
      [created.maxConcurrency, created.rateLimitPerSecond, created.timeoutMs],
      [8, 5, 3000],
    );
    assert.deepEqual(consoleProblems, []);
  });

  it('shows an open circuit, its held deliveries and its next probe, on the page and in the list', async () => {
    const { client, apiKey } = await server.newOrganization();
    const webhook = await newWebhook(client, '/flaky');
    const { page, consoleProblems } = await openSignedIn(apiKey, `#/webhooks/${webhook.id}`);
    await page.getByTestId('webhook-circuit').getByText('Closed').waitFor();
    assert.equal(await page.getByTestId('circuit-details').count(), 0);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });

    // A delivery that succeeds shows up by itself: the page follows the webhook's deliveries.
    await client.request(SendTestEventDocument, {
      input: { webhookId: webhook.id, type: 'PRE_CONVERSATION' },
    });
    const deliveries = page.getByTestId('deliveries');
    await deliveries.locator('li[data-status="SUCCEEDED"]').waitFor();

    // Then the endpoint fails: after two failures in a row its circuit opens, still without a
    // reload, and the other deliveries are held.
    failing = true;
    try {
      for (let n = 0; n < 4; n++) {
        await client.request(SendTestEventDocument, {
          input: { webhookId: webhook.id, type: 'ANALYTICS_COMPLETED' },
        });
      }
      await page.getByTestId('webhook-circuit').locator('[data-circuit="OPEN"]').waitFor();
      assert.equal(
        await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
        true,
        'the page was not reloaded',
      );
      const held = await eventually(
        async () => {
          const edges = (await client.request(DeliveriesDocument, { webhookId: webhook.id }))
            .deliveries.edges;
          const count = edges.filter((e) => e.node.status === 'HELD').length;
          return count === 4 ? count : undefined;
        },
        { message: 'the four failing deliveries to be held' },
      );
      const { circuit } = (await client.request(WebhookDocument, { id: webhook.id })).webhook!;
      assert.equal(circuit.state, 'OPEN');
      assert.ok(circuit.nextProbeAt);

      const details = page.getByTestId('circuit-details');
      await details.getByText('Deliveries to this endpoint are held.').waitFor();
      await details.getByText(/keep their retries/).waitFor();
      // The next probe is the circuit's, to the second.
      await page.waitForFunction(
        (iso) =>
          document
            .querySelector('[data-testid=circuit-next-probe] time')
            ?.getAttribute('datetime') === iso,
        circuit.nextProbeAt,
      );
      await details.getByText(String(circuit.consecutiveFailures), { exact: true }).waitFor();

      // The held deliveries, with their badge, and no redeliver button (they are not finished).
      await eventually(
        async () =>
          (await deliveries.locator('li[data-status="HELD"]').count()) === held || undefined,
        { message: 'the held deliveries on the page' },
      );
      const heldItem = deliveries.locator('li[data-status="HELD"]').first();
      await heldItem.locator('.badge', { hasText: 'Held' }).waitFor();
      await heldItem.getByText('Waiting for the circuit to close').waitFor();
      assert.equal(await heldItem.getByRole('button', { name: /^Redeliver/ }).count(), 0);
      await screenshot(page, 'webhook-circuit-open');

      // The status filter offers them on their own.
      await page.getByRole('combobox', { name: 'Show' }).selectOption('HELD');
      await eventually(
        async () =>
          (await deliveries.locator('li').count()) === held &&
          (await deliveries.locator('li:not([data-status="HELD"])').count()) === 0
            ? true
            : undefined,
        { message: 'only the held deliveries under the Held filter' },
      );

      // In the list, the endpoint in trouble stands out next to its status.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      const row = page.getByTestId('webhooks-table').locator(`tr[data-webhook-id="${webhook.id}"]`);
      await row.locator('td[data-circuit="OPEN"]').getByText('Circuit open').waitFor();
      await row.getByText(/Deliveries held, next probe/).waitFor();

      // On a phone, the page with its open circuit still fits.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${server.url}/#/webhooks/${webhook.id}`);
      await page.getByTestId('circuit-details').waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling at phone width (page is ${width}px wide)`);
    } finally {
      failing = false;
    }
    assert.deepEqual(consoleProblems, []);
  });
});
