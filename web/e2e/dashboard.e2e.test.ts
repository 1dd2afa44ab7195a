/**
 * The dashboard in real Chromium against the real server and processor: an
 * order made with the form is decided before the operator's eyes, the FAILED
 * filter holds for new orders and a reload, a server restart is survived
 * without a stale status, and a FAILED order is retried from its drawer.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboardInChromium, type ChromiumDashboard } from './browser.ts';
import { waitFor } from '../../test/support/index.ts';
import { catalogueOf, closeInOrder, startSystem, type Catalogue, type System } from './system.ts';

type Status = 'PENDING' | 'PROCESSED' | 'FAILED';
interface MadeOrder {
  id: string;
  orderNumber: string;
}

let system: System;
let dashboard: ChromiumDashboard;
let page: Page;
let catalogue: Catalogue;

/** Orders made straight through the API, as another client (or the bulk generator) would. */
async function createOrders(count: number): Promise<MadeOrder[]> {
  const made: MadeOrder[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await system.graphql<{ createOrder: MadeOrder }>(
      'mutation E2E_Create($input: CreateOrderInput!) { createOrder(input: $input) { id orderNumber } }',
      {
        input: {
          customerId: catalogue.customers[i % catalogue.customers.length]!.id,
          sku: catalogue.products[(i * 7) % catalogue.products.length]!.sku,
          quantity: 1 + (i % 3),
        },
      },
    );
    if (!answer.data) throw new Error(`createOrder refused: ${JSON.stringify(answer.errors)}`);
    made.push(answer.data.createOrder);
  }
  return made;
}

/** Each order's status as stored, read from the database (it works while the server is down). */
async function storedStatuses(orders: MadeOrder[]): Promise<Map<string, Status>> {
  const docs = await system.db
    .collection<{ orderNumber: string; status: Status }>('orders')
    .find({ orderNumber: { $in: orders.map((order) => order.orderNumber) } })
    .project<{ orderNumber: string; status: Status }>({ orderNumber: 1, status: 1 })
    .toArray();
  return new Map(docs.map((doc) => [doc.orderNumber, doc.status]));
}

async function allDecided(orders: MadeOrder[], timeoutMs = 20_000): Promise<Map<string, Status>> {
  return waitFor(
    `${orders.length} orders to be decided by the processor`,
    async () => {
      const statuses = await storedStatuses(orders);
      return statuses.size === orders.length && [...statuses.values()].every((s) => s !== 'PENDING')
        ? statuses
        : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Orders created ten at a time until some end FAILED (a third of the customers are declined): those. */
async function someFailedOrders(): Promise<MadeOrder[]> {
  let failed: MadeOrder[] = [];
  for (let round = 0; round < 4 && failed.length === 0; round++) {
    const made = await createOrders(10);
    const statuses = await allDecided(made);
    failed = made.filter((order) => statuses.get(order.orderNumber) === 'FAILED');
  }
  return failed;
}

/** The rows on screen, top to bottom (optimistic rows have no order number yet). */
async function tableRows(): Promise<{ orderNumber: string | null; status: Status }[]> {
  return page.locator('tbody tr[data-status]').evaluateAll((rows) =>
    rows.map((row) => ({
      orderNumber: row.getAttribute('data-order-number'),
      status: row.getAttribute('data-status') as Status,
    })),
  );
}

const connectionPhase = () => page.locator('[data-connection]').getAttribute('data-connection', { timeout: 2_000 });

async function waitForConnection(phases: string[], timeoutMs = 15_000): Promise<string> {
  return waitFor(
    `the connection indicator to show ${phases.join(' or ')}`,
    async () => {
      const phase = await connectionPhase();
      return phase && phases.includes(phase) ? phase : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  system = await startSystem();
  catalogue = await catalogueOf(system);
  // The processor joins its consumer group on fresh topics: one decided order shows the pipeline is up.
  await allDecided(await createOrders(1), 60_000).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${system.logs()}`);
  });
  dashboard = await openDashboardInChromium(system.baseUrl);
  page = dashboard.page;
}, 120_000);

afterAll(() => closeInOrder(dashboard, system), 60_000);

describe('the live order dashboard', () => {
  it('shows an order made with the form at once, then turns it from PENDING to its decision without a reload', async () => {
    await waitForConnection(['connected']);
    // Record every status each row shows, and mark the document to prove there is no reload.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      Object.assign(window, { e2eSeen: seen, e2eSameDocument: true });
      const record = () => {
        for (const row of document.querySelectorAll('tbody tr[data-order-number]')) {
          const number = row.getAttribute('data-order-number')!;
          const status = row.getAttribute('data-status')!;
          const list = (seen[number] ??= []);
          if (list.at(-1) !== status) list.push(status);
        }
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-status'],
      });
    });

    await page.getByRole('button', { name: 'Generate random values' }).click();
    expect(await page.getByLabel('Customer').inputValue()).not.toBe('');
    expect(await page.getByLabel('Product').inputValue()).not.toBe('');
    await page.getByRole('button', { name: 'Create order', exact: true }).click();

    // Optimistic: a PENDING row is on top before the server has answered.
    const top = await waitFor('a new row on top', async () => (await tableRows())[0], 2_000);
    expect(top.status).toBe('PENDING');

    const message = await page.getByText(/^Order ORD-\S+ created\.$/).textContent();
    const orderNumber = /ORD-\S+(?= created)/.exec(message ?? '')?.[0];
    expect(orderNumber).toBeTruthy();

    const decided = await waitFor(
      `${orderNumber} to be decided on screen`,
      async () => {
        const row = (await tableRows()).find((r) => r.orderNumber === orderNumber);
        return row && row.status !== 'PENDING' ? row.status : undefined;
      },
      20_000,
    );
    expect(['PROCESSED', 'FAILED']).toContain(decided);
    const seen = await page.evaluate(
      (number) => (window as unknown as { e2eSeen: Record<string, string[]> }).e2eSeen[number],
      orderNumber!,
    );
    expect(seen).toEqual(['PENDING', decided]);
    expect(await page.evaluate(() => (window as unknown as { e2eSameDocument?: boolean }).e2eSameDocument)).toBe(true);
  });

  it('with the FAILED filter shows only failed orders, new ones included, and keeps it in the URL', async () => {
    expect((await someFailedOrders()).length).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Show failed orders' }).click();
    await waitFor('?status=FAILED in the URL', () => new URL(page.url()).searchParams.get('status') === 'FAILED');
    await waitFor('only failed rows', async () => {
      const rows = await tableRows();
      return rows.length > 0 && rows.every((row) => row.status === 'FAILED');
    });

    // New orders while the filter is on: only those that fail may appear.
    const newFailed = await someFailedOrders();
    expect(newFailed.length).toBeGreaterThan(0);
    await waitFor('the new failed orders on screen', async () => {
      const shown = new Set((await tableRows()).map((row) => row.orderNumber));
      return newFailed.every((order) => shown.has(order.orderNumber));
    });
    expect((await tableRows()).every((row) => row.status === 'FAILED')).toBe(true);

    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitFor('the failed view after a reload', async () => {
      const rows = await tableRows();
      return rows.length > 0 && rows.every((row) => row.status === 'FAILED');
    });
    expect(await page.getByRole('button', { name: 'Show failed orders' }).getAttribute('aria-pressed')).toBe('true');
    await dashboard.screenshot('failed-filter');
  });

  it('goes to reconnecting while the server restarts, then shows the changes made while it was away', async () => {
    await page.getByRole('button', { name: 'Show all orders' }).click();
    await waitFor('the plain URL', () => !new URL(page.url()).searchParams.has('status'));
    await waitForConnection(['connected']);

    // Orders the page sees arrive PENDING, with no processor to decide them yet.
    await system.stopProcessor();
    const made = await createOrders(5);
    await waitFor('the new orders on screen, PENDING', async () => {
      const rows = await tableRows();
      return made.every((order) => rows.find((r) => r.orderNumber === order.orderNumber)?.status === 'PENDING');
    });

    // The server goes away; only then are the orders decided, so no event about them can reach the page.
    await system.stopServer();
    await waitForConnection(['reconnecting', 'offline'], 10_000);
    system.startProcessor();
    const decided = await allDecided(made, 60_000);
    await dashboard.screenshot('reconnecting');
    const whileAway = await tableRows();
    expect(made.map((order) => whileAway.find((r) => r.orderNumber === order.orderNumber)?.status)).toEqual(
      made.map(() => 'PENDING'),
    );

    await system.startServer();
    await waitForConnection(['connected'], 30_000);
    await waitFor('the decisions made while the server was away', async () => {
      const rows = await tableRows();
      return made.every(
        (order) => rows.find((r) => r.orderNumber === order.orderNumber)?.status === decided.get(order.orderNumber),
      );
    });
    await page.mouse.move(0, 0);
    await page.waitForTimeout(500); // let the status chips finish their entrance
    await dashboard.screenshot('dashboard');
  });

  it('opens an order in its drawer, with its timeline and error, and retries it when it FAILED', async () => {
    const failed = await system.db
      .collection<{ orderNumber: string; error: string }>('orders')
      .find({ status: 'FAILED' })
      .sort({ createdAt: -1 })
      .limit(1)
      .next();
    expect(failed).not.toBeNull();
    const { orderNumber, error } = failed!;

    await page.getByRole('button', { name: 'Show failed orders' }).click();
    await page.getByRole('button', { name: `Open order ${orderNumber}` }).click();
    const drawer = page.getByRole('region', { name: 'Order details' });
    await drawer.getByRole('heading', { name: orderNumber }).waitFor();
    await waitFor('?order= in the URL', () => new URL(page.url()).searchParams.has('order'));

    const timeline = drawer.getByRole('list', { name: 'Order timeline' }).locator('li');
    const statuses = () => timeline.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    expect(await statuses()).toEqual(['PENDING', 'FAILED']);
    expect(await drawer.getByText(error).first().isVisible()).toBe(true);

    await drawer.getByRole('button', { name: 'Retry order' }).click();
    const after = await waitFor(
      'the retried order to be decided again, live',
      async () => {
        const list = await statuses();
        return list.length === 4 && list[3] !== 'PENDING' ? list : undefined;
      },
      20_000,
    );
    expect(after.slice(0, 3)).toEqual(['PENDING', 'FAILED', 'PENDING']);
    expect(['PROCESSED', 'FAILED']).toContain(after[3]);
    await dashboard.screenshot('order-detail');

    await drawer.getByRole('button', { name: 'Close order details' }).click();
    await waitFor('the drawer to close', () => !new URL(page.url()).searchParams.has('order'));
    expect(dashboard.errors).toEqual([]);
  });
});
