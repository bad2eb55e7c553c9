import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, watchConsole } from './browser.ts';

/**
 * GraphiQL as a newcomer opens it on a machine without internet: every request to anything but
 * Hookline is refused, and GraphiQL still loads, comes pre-filled, and runs a query.
 */
let server: TestServer;
let browser: Browser;

before(async () => {
  [server, browser] = await Promise.all([startTestServer('graphiql'), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The text of one of GraphiQL's editors (Monaco draws spaces as no-break spaces). */
const editorText = (page: Page, editor: string) =>
  page
    .locator(`${editor} .view-lines`)
    .first()
    // biome-ignore lint/performance/useDomNodeTextContent: each line is an element of its own; innerText puts the line breaks between them
    .innerText()
    .then((text) => text.replace(/\u00a0/g, ' '));

test('GraphiQL loads from Hookline alone, pre-filled, and runs a query', async () => {
  const { apiKey } = await server.newOrganization('Offline Voice');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const problems = watchConsole(page);
  const elsewhere: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${server.url}/`)) return route.continue();
    elsewhere.push(url);
    return route.abort('blockedbyclient');
  });

  const response = await page.goto(`${server.url}/graphql`);
  assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self';/);
  await page.locator('.graphiql-query-editor .view-lines').waitFor();

  const query = await editorText(page, '.graphiql-query-editor');
  assert.match(query, /mutation CreateOrganization \{/);
  assert.match(query, /query MyOrganization \{/);
  const headers = await editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)');
  assert.match(headers, /"Authorization": "Bearer <your API key: hkl_\.\.\.>"/);

  // The organization's key in place of the template, then the example's query.
  await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${apiKey}` }));
  // Typed text gets closing quotes and braces from the editor: whatever follows goes.
  await page.keyboard.press('ControlOrMeta+Shift+End');
  await page.keyboard.press('Delete');
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page.getByRole('menuitem', { name: 'MyOrganization' }).click();

  await page.locator('.result-window .view-lines', { hasText: 'Offline Voice' }).waitFor();
  const result = JSON.parse(await editorText(page, '.result-window'));
  assert.equal(result.data.organization.name, 'Offline Voice');
  assert.deepEqual(result.data.agents.edges, []);

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.ok(!stored.includes(apiKey), 'the key is not kept in the browser’s storage');
  assert.deepEqual(elsewhere, [], 'GraphiQL asked for nothing but Hookline');
  assert.deepEqual(problems, [], 'no console errors (a CSP refusal would be one)');
});

test('in production there is no GraphiQL: a browser gets no page, its files are not served', async () => {
  const production = await startTestServer('graphiql_production', { NODE_ENV: 'production' });
  try {
    const page = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.doesNotMatch(page.headers.get('content-type') ?? '', /html/);
    const bundle = await fetch(`${production.url}/graphiql/yoga-graphiql.js`);
    assert.notEqual(bundle.status, 200);
  } finally {
    await production.stop();
  }
});
