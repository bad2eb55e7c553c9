import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateWebhookDocument,
  type HooklineClient,
  OrganizationTimelineDocument,
  WebhookTimelineDocument,
} from '@hookline/client';
import type { Browser, Locator, Page } from 'playwright-core';
import { formatDuration } from '../../dashboard/src/format.ts';
import {
  type Attempt,
  answerByCallId,
  type Bucket,
  deliverCalls,
  moveAttempts,
} from '../support/attempt-times.ts';
import { agentWithWebhook } from '../support/fixtures.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, SCREENSHOTS_DIR, screenshot, watchConsole } from './browser.ts';

const MINUTE = 60_000;

/**
 * The charts in a real browser, under the page's real Content-Security-Policy: a webhook's
 * attempts and latency over time in its Health section, and the organization's on the overview
 * page with the webhooks that fail most. Real attempts, moved to known quarter hours of the last
 * hour (see test/support/attempt-times.ts), so that the test knows what each bucket must show.
 */
describe('dashboard charts', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let client: HooklineClient;
  let apiKey: string;
  let page: Page;
  let consoleProblems: string[];
  /** The starts of three consecutive quarter hours, the last being the current one. */
  let quarters: [string, string, string];
  const hooks = { frontDesk: '', billing: '', healthy: '', idle: '' };

  before(async () => {
    [server, receiver, browser] = await Promise.all([
      startTestServer('dashboard_charts', { HOOKLINE_RETRY_SCHEDULE: '0.1' }),
      startReceiver(answerByCallId),
      launchChromium(),
    ]);
    ({ client, apiKey } = await server.newOrganization('Acme Voice'));
    const frontDesk = await attempts(['ok_1', 'ok_2', 'ok_3', 'fail_1', 'fail_2'], 7, 'front-desk');
    const billing = await attempts(['ok_1', 'ok_2', 'fail_3'], 4, 'billing');
    // The healthy webhook's: one a quarter hour ago, and eleven spread over the rest of the day.
    const healthyCalls = ['ok_1', 'ok_0', 'ok_2', 'ok_4', 'ok_3', 'ok_6', 'ok_2', 'ok_5', 'ok_8'];
    const healthy = await attempts([...healthyCalls, 'ok_3', 'ok_1', 'ok_4'], 12, 'healthy');
    hooks.idle = (
      await client.request(CreateWebhookDocument, { input: { url: `${receiver.url}/idle` } })
    ).createWebhook.webhook.id;

    // Three quarter hours, counted back from the current one, and what happened in each:
    // 4 successes; 2 successes and 2 failures; 4 failures.
    const { organization } = await client.request(OrganizationTimelineDocument, {
      window: 'LAST_24_HOURS',
    });
    const current = Date.parse(organization!.timeline.at(-1)!.startsAt);
    const starts = [current - 30 * MINUTE, current - 15 * MINUTE, current];
    quarters = starts.map((t) => new Date(t).toISOString()) as typeof quarters;
    const at = (quarter: number, minutes: number) => new Date(starts[quarter]! + minutes * MINUTE);
    const [fd, bl] = [split(frontDesk), split(billing)];
    await moveAttempts(server.database.url, [
      { attempt: fd.S[0]!, to: at(0, 1) },
      { attempt: fd.S[1]!, to: at(0, 1) },
      { attempt: bl.S[0]!, to: at(0, 2) },
      { attempt: bl.S[1]!, to: at(0, 2) },
      { attempt: fd.S[2]!, to: at(1, 2) },
      { attempt: fd.F[0]!, to: at(1, 2) },
      { attempt: fd.F[1]!, to: at(1, 2) },
      { attempt: healthy[0]!, to: at(1, 3) },
      { attempt: fd.F[2]!, to: at(2, 0) },
      { attempt: fd.F[3]!, to: at(2, 0) },
      { attempt: bl.F[0]!, to: at(2, 0) },
      { attempt: bl.F[1]!, to: at(2, 0) },
      ...healthy.slice(1).map((attempt, k) => ({ attempt, to: at(0, -(k + 1) * 115) })),
    ]);

    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    consoleProblems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    async function attempts(calls: string[], count: number, path: string) {
      const { agentId, webhookId } = await agentWithWebhook(client, `${receiver.url}/${path}`, [
        'PRE_CONVERSATION',
      ]);
      if (path === 'front-desk') hooks.frontDesk = webhookId;
      if (path === 'billing') hooks.billing = webhookId;
      if (path === 'healthy') hooks.healthy = webhookId;
      return deliverCalls(client, agentId, webhookId, calls, count);
    }
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  });

  const split = (all: Attempt[]) => ({
    S: all.filter((a) => a.errorKind === null),
    F: all.filter((a) => a.errorKind !== null),
  });

  /** A row of a chart's table of numbers, by the start of its bucket. */
  const numbersRow = (numbers: Locator, startsAt: string) =>
    numbers.locator(`tr[data-starts-at="${startsAt}"]`);

  /** Each row's counts and latencies, as the page shows them, against the API's buckets. */
  async function expectRows(
    numbers: Locator,
    buckets: Bucket[],
    counts: Array<[number, number]>,
    rows = 3,
  ) {
    for (const [i, startsAt] of quarters.entries()) {
      const row = numbersRow(numbers, startsAt);
      const bucket = buckets.find((b) => b.startsAt === startsAt)!;
      assert.deepEqual([bucket.successCount, bucket.failureCount], counts[i], startsAt);
      const cells = await Promise.all(
        ['succeeded', 'failed', 'p50', 'p95'].map((column) =>
          row.locator(`td[data-column="${column}"]`).textContent(),
        ),
      );
      assert.deepEqual(cells, [
        String(counts[i]![0]),
        String(counts[i]![1]),
        formatDuration(bucket.p50LatencyMs!),
        formatDuration(bucket.p95LatencyMs!),
      ]);
    }
    assert.equal(await numbers.locator('tbody tr').count(), rows, 'only buckets with attempts');
  }

  it("shows a webhook's attempts and latency over time, named and with their numbers", async () => {
    await page.goto(`${server.url}/#/webhooks/${hooks.frontDesk}`);
    const health = page.locator('section.card', { has: page.locator('#health-title') });
    const bars = page.getByRole('img', { name: 'Attempts per 15 minutes, the last 24 hours' });
    const lines = page.getByRole('img', { name: 'Latency per 15 minutes, the last 24 hours' });
    await bars.waitFor();
    await lines.waitFor();
    // Described by their key numbers.
    // (Times are worded in the reader's locale: the test leaves them to the page.)
    assert.match(
      (await health.locator(`#${await bars.getAttribute('aria-describedby')}`).textContent()) ?? '',
      /^7 attempts in the last 24 hours: 3 succeeded, 4 failed\. Failures from .+ to .+\. Most at .+: 3 attempts\.$/,
    );
    assert.match(
      (await health.locator(`#${await lines.getAttribute('aria-describedby')}`).textContent()) ??
        '',
      /^Median \(p50\) (from \d+ ms to )?\d+ ms\. Highest p95: \d+ ms, at .+\.$/,
    );
    // A bar for each bucket with successes or failures, a line through the latencies.
    assert.equal(await bars.locator('rect.series-success').count(), 2);
    assert.equal(await bars.locator('rect.series-failure').count(), 2);
    assert.match((await lines.locator('.series-p95 path.line').getAttribute('d')) ?? '', /^M.+L/);

    const { webhook } = await client.request(WebhookTimelineDocument, {
      id: hooks.frontDesk,
      window: 'LAST_24_HOURS',
    });
    await health.screenshot({ path: join(SCREENSHOTS_DIR, 'webhook-health-charts.png') });
    await health.getByText('The numbers, per 15 minutes').click();
    await expectRows(health.getByTestId('health-numbers'), webhook!.timeline, [
      [2, 0],
      [1, 2],
      [0, 2],
    ]);

    // The window picker changes the charts too.
    await page.getByLabel('Over').selectOption('LAST_HOUR');
    await page.getByRole('img', { name: 'Attempts per minute, the last hour' }).waitFor();
    const minute = new Date(Date.parse(quarters[0]) + MINUTE).toISOString();
    await health.getByText('The numbers, per minute').click();
    const row = numbersRow(health.getByTestId('health-numbers'), minute);
    assert.equal(await row.locator('td[data-column="succeeded"]').textContent(), '2');
  });

  it('says so where a webhook has no attempts', async () => {
    await page.goto(`${server.url}/#/webhooks/${hooks.idle}`);
    await page
      .getByTestId('health-charts-empty')
      .getByText('No attempts in the last 24 hours.')
      .waitFor();
    assert.equal(await page.getByRole('img', { name: /^Attempts per/ }).count(), 0);
  });

  it('shows the organization on the overview: all its webhooks over time, those that fail most', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const bars = page.getByRole('img', { name: 'Attempts per 15 minutes, the last 24 hours' });
    await bars.waitFor();
    await page.getByRole('img', { name: 'Latency per 15 minutes, the last 24 hours' }).waitFor();
    assert.match(
      (await page.locator(`#${await bars.getAttribute('aria-describedby')}`).textContent()) ?? '',
      /^23 attempts in the last 24 hours: 17 succeeded, 6 failed\./,
    );
    const { organization } = await client.request(OrganizationTimelineDocument, {
      window: 'LAST_24_HOURS',
    });
    await screenshot(page, 'overview');
    await page.getByText('The numbers, per 15 minutes').click();
    await expectRows(
      page.getByTestId('overview-numbers'),
      organization!.timeline,
      [
        [4, 0],
        [2, 2],
        [0, 4],
      ],
      3 + 11,
    );

    // Front desk failed 4 of 7, billing 2 of 4; the healthy webhook is not there.
    const failing = page.getByTestId('failing-webhooks');
    const rows = failing.locator('tbody tr');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.webhookId)), [
      hooks.frontDesk,
      hooks.billing,
    ]);
    assert.equal(
      await rows.first().locator('td[data-column="failed"]').textContent(),
      '57% (4 of 7)',
    );

    // Each links to its webhook's page.
    await rows
      .nth(1)
      .getByRole('link', { name: `${receiver.url}/billing` })
      .click();
    await page.getByRole('heading', { name: `${receiver.url}/billing` }).waitFor();
  });

  it('is the first screen after signing in, and fits a phone', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(10_000);
    const small = await phone.newPage();
    consoleProblems.push(...watchConsole(small));
    await small.goto(`${server.url}/`);
    await small.getByLabel('API key').fill(apiKey);
    await small.getByLabel('API key').press('Enter');
    await small.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await small.getByRole('img', { name: /^Attempts per 15 minutes/ }).waitFor();
    await small.getByTestId('failing-webhooks').waitFor();
    const width = await small.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling at phone width (page is ${width}px wide)`);
    await phone.close();
  });

  it('logged no errors in the browser console (the CSP refused nothing)', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
