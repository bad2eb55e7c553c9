import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreatePortalSessionDocument,
  CreateWebhookDocument,
  type HooklineClient,
  RevokePortalSessionsDocument,
  SetBrandingDocument,
} from '@hookline/client';
import type { Browser, Frame, Page } from 'playwright-core';
import { eventually } from '../support/assertions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium, screenshot, watchConsole } from './browser.ts';

/**
 * Portal sessions in a real browser (docs/dashboard.md, Embedding the dashboard): a link signs
 * Chromium into an organization's dashboard with its role and branding, without an API key;
 * after revocation or expiry it no longer works; and only the pages HOOKLINE_PORTAL_FRAME_ANCESTORS
 * names may show the dashboard in a frame (a platform's page on another port: allowed; another
 * one: refused).
 */
describe('portal sessions in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let allowed: EmbeddingPage;
  let refused: EmbeddingPage;
  let client: HooklineClient;

  before(async () => {
    [allowed, refused, browser] = await Promise.all([
      embeddingPage(),
      embeddingPage(),
      launchChromium(),
    ]);
    server = await startTestServer('portal_browser', {
      HOOKLINE_PORTAL_FRAME_ANCESTORS: allowed.origin,
      HOOKLINE_PORTAL_PLATFORM_NAME: 'Voice Platform',
    });
    const org = await server.newOrganization('Northwind');
    client = org.client;
    await client.request(CreateWebhookDocument, {
      input: { url: 'https://crm.example.com/hooks', description: 'CRM' },
    });
    await client.request(SetBrandingDocument, {
      input: { platformName: 'Northwind Voice', accentColor: '#0A7D5A' },
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await allowed?.close();
    await refused?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    return { page, problems: watchConsole(page) };
  }

  async function portalLink(role: 'ADMIN' | 'VIEWER', ttlSeconds?: number): Promise<string> {
    return (await client.request(CreatePortalSessionDocument, { input: { role, ttlSeconds } }))
      .createPortalSession.url;
  }

  it('signs a browser in as a VIEWER, with no button that would fail; revoked, it is signed out', async () => {
    const url = await portalLink('VIEWER');
    const { page, problems } = await newPage();
    await page.goto(url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('cell', { name: /crm\.example\.com/ }).waitFor();
    assert.ok(page.url().endsWith('/#/webhooks'), `the token left the address bar: ${page.url()}`);
    const stored = await page.evaluate(() => sessionStorage.getItem('hookline.apiKey'));
    assert.match(stored ?? '', /^hls_/, 'the tab keeps the session credential, not the token');
    assert.ok(!url.includes(stored!), 'which is not the token');
    // A viewer: marked, and shown no button that would be refused.
    await page.getByTestId('view-only').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New webhook' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Disable/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Delete/ }).count(), 0);
    // The organization's branding.
    assert.equal(await page.locator('.brand').textContent(), 'Northwind Voice');
    const accent = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
    );
    assert.equal(accent, '#0a7d5a');
    await screenshot(page, 'portal-viewer');

    // The same link, opened again (leaked, or in a second tab), is refused, and ends the session.
    const second = await newPage();
    await second.page.goto(url);
    await second.page.getByLabel('API key').waitFor();
    await second.page.getByText(/portal link is not valid/).waitFor();
    await page.reload();
    await page.getByLabel('API key').waitFor();

    // A fresh link, then revocation: the next load finds the session gone.
    const { page: again } = await newPage();
    await again.goto(await portalLink('VIEWER'));
    await again.getByTestId('view-only').waitFor();
    await client.request(RevokePortalSessionsDocument, { input: {} });
    await again.reload();
    await again.getByLabel('API key').waitFor();
    assert.deepEqual(
      problems.filter((p) => !/401|403/.test(p)),
      [],
    );
  });

  it('signs an ADMIN in with every button, and signs it out when the session expires', async () => {
    const { page } = await newPage();
    await page.goto(await portalLink('ADMIN', 12));
    await page.getByRole('button', { name: 'New webhook' }).waitFor();
    assert.equal(await page.getByTestId('view-only').count(), 0);
    // Expired: signed out by itself, and the credential no longer works.
    const credential = await page.evaluate(() => sessionStorage.getItem('hookline.apiKey'));
    await page.getByText(/portal session has ended/).waitFor({ timeout: 40_000 });
    await page.getByLabel('API key').waitFor();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query: '{ organization { id } }' }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('shows in a frame on the configured platform page only', async () => {
    assert.match(
      (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '',
      new RegExp(`frame-ancestors ${allowed.origin.replaceAll('.', '\\.')}(;|$)`),
    );
    const { page } = await newPage();
    await page.goto(allowed.embedding(await portalLink('VIEWER')));
    const frame = await dashboardFrame(page);
    await frame.getByRole('navigation', { name: 'Main' }).waitFor();
    await frame.getByTestId('view-only').waitFor();
    await screenshot(page, 'portal-embedded');

    const other = await newPage();
    await other.page.goto(refused.embedding(`${server.url}/`));
    const blocked = await dashboardFrame(other.page);
    await eventually(() => (blocked.url().startsWith('chrome-error:') ? true : undefined), {
      message: 'the frame refused',
    });
    assert.equal(await blocked.getByLabel('API key').count(), 0);
    assert.ok(
      other.problems.some((p) => /frame-ancestors/.test(p)),
      `the browser says why: ${other.problems.join('; ')}`,
    );
  });
});

interface EmbeddingPage {
  origin: string;
  /** This page's URL framing `src`. */
  embedding(src: string): string;
  close(): Promise<void>;
}

/** A platform's page, on a port of its own (another origin), that frames the URL it is given. */
async function embeddingPage(): Promise<EmbeddingPage> {
  const server: Server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://localhost').searchParams.get('src') ?? '';
    const attribute = src.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Platform</title><h1>Our platform</h1><iframe title="Webhooks" src="${attribute}" width="1200" height="700"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    embedding: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function dashboardFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('iframe').elementHandle();
  const frame = await handle?.contentFrame();
  assert.ok(frame, 'the page has its frame');
  return frame;
}
