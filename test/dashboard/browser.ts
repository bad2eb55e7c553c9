import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; .ci/run installs it when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium reaches for Google's services at start,
 * which a closed network refuses; they change nothing about the page under test.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export const SCREENSHOTS_DIR = join(import.meta.dirname, '../../docs/screenshots');

/**
 * A PNG of the whole page for docs/dashboard.md. Toasts about earlier steps are hidden for the picture
 * through the DOM: the page's CSP refuses the style sheet Playwright's `style` option would add.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const toasts = (visibility: string) =>
    page.evaluate((value) => {
      for (const element of document.querySelectorAll<HTMLElement>('.notices')) {
        element.style.visibility = value;
      }
    }, visibility);
  await toasts('hidden');
  try {
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  } finally {
    await toasts('');
  }
}

/** Collects what would show in the browser console as an error: none is expected. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return problems;
}
