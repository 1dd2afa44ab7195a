/**
 * Debian's Chromium driven by playwright-core (browsers cannot be downloaded
 * here; web/scripts/ensure-chromium.sh installs it). A page remembers the
 * uncaught errors it saw, so a test can insist there were none.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../test/support/index.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotsDir = path.join(repoRoot, 'test-results/screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run web/scripts/ensure-chromium.sh (as root it installs Debian's chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
}

export interface DashboardPage {
  readonly page: Page;
  /** Uncaught exceptions in the page since it opened. */
  readonly errors: string[];
  screenshot(name: string): Promise<void>;
}

export async function openDashboard(browser: Browser, url: string): Promise<DashboardPage> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: 'light' });
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 20_000 });
  mkdirSync(screenshotsDir, { recursive: true });
  return {
    page,
    errors,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });
    },
  };
}

export interface ChromiumDashboard extends DashboardPage {
  /** Closes the browser it was opened in. */
  close(): Promise<void>;
}

/** Chromium launched, and the dashboard at `url` opened in it. */
export async function openDashboardInChromium(url: string): Promise<ChromiumDashboard> {
  const browser = await launchChromium();
  try {
    return { ...(await openDashboard(browser, url)), close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
