import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAgentDocument,
  CreateWebhookDocument,
  SendTestEventDocument,
} from '@hookline/client';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../support/assertions.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, watchConsole } from './browser.ts';

/**
 * The dashboard's "load more" lists in a real browser, past their first page: agents and
 * webhooks page forward 50 at a time, a webhook's deliveries back 20 at a time from the newest.
 * Each list gets its own organization, so no test depends on another.
 */
describe('dashboard paging', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    [server, receiver, browser] = await Promise.all([
      startTestServer('dashboard_paging'),
      startReceiver(),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  /**
   * A page at `hash`, signed in with the key, so that the list it shows is loaded after sign-in;
   * and what its console reports as errors (none is expected).
   */
  async function openSignedIn(
    apiKey: string,
    hash: string,
  ): Promise<{ page: Page; consoleProblems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);
    await page.goto(`${server.url}/${hash}`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return { page, consoleProblems };
  }

  async function untilCount(page: Page, selector: string, expected: number): Promise<void> {
    await eventually(
      async () => ((await page.locator(selector).count()) === expected ? true : undefined),
      {
        message: `${expected} of ${selector}`,
      },
    );
  }

  it('loads the agents after the first 50', async () => {
    const { client, apiKey } = await server.newOrganization();
    for (let n = 1; n <= 53; n++) {
      await client.request(CreateAgentDocument, { input: { name: `Agent ${n}` } });
    }
    const { page, consoleProblems } = await openSignedIn(apiKey, '#/agents');
    await untilCount(page, '[data-testid=agents-table] tbody tr', 50);
    await page.getByRole('button', { name: 'Load more agents' }).click();
    await untilCount(page, '[data-testid=agents-table] tbody tr', 53);
    assert.equal(await page.getByRole('button', { name: 'Load more agents' }).count(), 0);
    await page.getByRole('link', { name: 'Agent 53', exact: true }).waitFor();
    assert.deepEqual(consoleProblems, []);
  });

  it('loads the webhooks after the first 50, and changes a row of a later page in place', async () => {
    const { client, apiKey } = await server.newOrganization();
    const urls: string[] = [];
    for (let n = 1; n <= 52; n++) {
      const url = `${receiver.url}/paging/${n}`;
      await client.request(CreateWebhookDocument, { input: { url } });
      urls.push(url);
    }
    const { page, consoleProblems } = await openSignedIn(apiKey, '#/webhooks');
    await untilCount(page, '[data-testid=webhooks-table] tbody tr', 50);
    await page.getByRole('button', { name: 'Load more webhooks' }).click();
    await untilCount(page, '[data-testid=webhooks-table] tbody tr', 52);

    const last = page.getByTestId('webhooks-table').locator('tr', { hasText: urls[51] as string });
    await last.getByRole('button', { name: /^Disable/ }).click();
    await last.locator('[data-status="disabled"]').waitFor();
    await untilCount(page, '[data-testid=webhooks-table] tbody tr', 52);
    assert.deepEqual(consoleProblems, []);
  });

  it("loads a webhook's older deliveries after the newest 20", async () => {
    const { client, apiKey } = await server.newOrganization();
    const { createWebhook } = await client.request(CreateWebhookDocument, {
      input: { url: `${receiver.url}/paging/deliveries` },
    });
    const webhookId = createWebhook.webhook.id;
    const ids: string[] = [];
    for (let n = 0; n < 23; n++) {
      const { sendTestEvent } = await client.request(SendTestEventDocument, {
        input: { webhookId, type: 'PRE_CONVERSATION' },
      });
      ids.push(sendTestEvent.delivery.id);
    }
    const { page, consoleProblems } = await openSignedIn(apiKey, `#/webhooks/${webhookId}`);
    const items = '[data-testid=deliveries] li[data-delivery-id]';
    await untilCount(page, items, 20);
    await page.getByRole('button', { name: 'Older deliveries' }).click();
    await untilCount(page, items, 23);
    const shown = await page
      .locator(items)
      .evaluateAll((elements) => elements.map((e) => e.getAttribute('data-delivery-id')));
    assert.deepEqual(shown, [...ids].reverse(), 'every delivery once, newest first');
    assert.equal(await page.getByRole('button', { name: 'Older deliveries' }).count(), 0);
    assert.deepEqual(consoleProblems, []);
  });
});
