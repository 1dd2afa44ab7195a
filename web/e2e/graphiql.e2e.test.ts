/**
 * GraphiQL in real Chromium against the real server and processor, with every
 * request to another host blocked (and counted): the page, its editor and its
 * workers come from the server alone. It opens with an operator token in its
 * headers and the example operations in its tab; the example query runs with
 * that token, and the example subscription shows an order created while it
 * is subscribed.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/index.ts';
import { launchChromium, screenshotsDir } from './browser.ts';
import { catalogueOf, closeInOrder, startSystem, type System } from './system.ts';

let system: System;
let browser: Browser;
let page: Page;
/** Requests the page made to any origin but the server's, each aborted. */
const blocked: string[] = [];
/** Content-Security-Policy violations the page reported. */
const violations: string[] = [];
const errors: string[] = [];
/** The editor's web workers the page started (Monaco falls back to the page's thread when it cannot). */
const workers: string[] = [];

/** What an editor shows now, its spaces as spaces (Monaco draws them as no-break spaces). */
const editorText = async (selector: string) => (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
const responseText = () => editorText('.graphiql-response');

/** Runs one of the tab's operations: the execute button asks which when the tab holds several. */
async function run(operationName: string): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name: operationName }).click();
}

beforeAll(async () => {
  system = await startSystem();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const origin = new URL(system.baseUrl).origin;
  await context.route(
    () => true,
    (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    },
  );
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('worker', (worker) => workers.push(worker.url()));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    if (/web worker/i.test(message.text())) errors.push(message.text());
  });
  await page.goto(`${system.baseUrl}/graphql`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await closeInOrder(browser, system);
});

describe('GraphiQL', () => {
  it('loads from the server alone, under a policy that allows only its origin', async () => {
    const response = await page.request.get(`${system.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    expect(response.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    await page.locator('.graphiql-query-editor').waitFor({ timeout: 60_000 });
    await waitFor(
      'the example operations in the editor',
      async () => {
        const text = await editorText('.graphiql-query-editor');
        return text.includes('query Products') && text.includes('subscription NewOrders');
      },
      30_000,
    );
    expect(blocked).toEqual([]);
    expect(violations).toEqual([]);
    await waitFor('the editor workers', () => workers.some((url) => url.endsWith('/worker/graphql.js')), 30_000);
    expect(workers.every((url) => url.startsWith(`${system.baseUrl}/graphiql/`))).toBe(true);
  });

  it('starts with an operator token in its headers', async () => {
    const options = JSON.parse((await page.locator('#graphiql-options').textContent()) ?? '{}') as {
      headers: string;
    };
    expect(JSON.parse(options.headers)).toMatchObject({ Authorization: expect.stringMatching(/^Bearer ey/) });
  });

  it('runs the example query with that token', async () => {
    await run('Products');
    await waitFor('the products in the response', async () => (await responseText()).includes('SKU-0001'), 30_000);
    expect(await responseText()).not.toContain('UNAUTHENTICATED');
  });

  it('shows the order created while the example subscription runs', async () => {
    await run('NewOrders');
    const catalogue = await catalogueOf(system);
    // The subscription is open once the server has it; until then an order would pass unseen, so create until one shows.
    let orderNumber = '';
    let seen = '';
    await waitFor(
      'an order created meanwhile in the response',
      async () => {
        const answer = await system.graphql<{ createOrder: { orderNumber: string } }>(
          'mutation E2E_GraphiqlCreate($input: CreateOrderInput!) { createOrder(input: $input) { orderNumber } }',
          { input: { customerId: catalogue.customers[0]!.id, sku: catalogue.products[0]!.sku, quantity: 1 } },
        );
        orderNumber = answer.data?.createOrder.orderNumber ?? '';
        await new Promise((resolve) => setTimeout(resolve, 1000));
        seen = await responseText();
        return orderNumber !== '' && seen.includes(orderNumber);
      },
      45_000,
    ).catch(async (error: unknown) => {
      await page.screenshot({ path: path.join(screenshotsDir, 'graphiql-subscription-failed.png') });
      throw new Error(`${String(error)}; the response pane showed: ${seen}`);
    });
    expect(await responseText()).toContain('"status": "PENDING"');
    expect(blocked).toEqual([]);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
