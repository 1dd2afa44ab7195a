/**
 * The dashboard's Pipeline panel in real Chromium against the real server and
 * processor: a poison message of orders.created in the dead-letter list,
 * discarded once, and requeued (still unreadable, it comes back with its
 * reason); then orders flowing, the lag rising and the warnings when the
 * processor stops, and the recovery when it runs again. Writes the screenshot the README
 * shows (test-results/screenshots/pipeline.png, copied to docs/).
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@orders/core';
import { BROKERS, waitFor } from '../../test/support/index.ts';
import { openDashboardInChromium, screenshotsDir, type ChromiumDashboard } from './browser.ts';
import { catalogueOf, closeInOrder, startSystem, type Catalogue, type System } from './system.ts';

let system: System;
let dashboard: ChromiumDashboard;
let page: Page;
let panel: Locator;
let catalogue: Catalogue;
let made = 0;

async function createOrder(): Promise<void> {
  const i = made++;
  const answer = await system.graphql<{ createOrder: { id: string } }>(
    'mutation E2E_PipelineCreate($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
    {
      input: {
        customerId: catalogue.customers[i % catalogue.customers.length]!.id,
        sku: catalogue.products[(i * 5) % catalogue.products.length]!.sku,
        quantity: 1,
      },
    },
  );
  if (!answer.data) throw new Error(`createOrder refused: ${JSON.stringify(answer.errors)}`);
}

/** What the panel shows now, from the figures it carries as attributes. */
async function shown(): Promise<{
  lag: number | null;
  processors: number | null;
  deadLetters: number | null;
  warnings: string[];
}> {
  const attributes = await panel.evaluate((element) => ({
    lag: element.getAttribute('data-lag'),
    processors: element.getAttribute('data-processors'),
    deadLetters: element.getAttribute('data-dead-letters'),
    warnings: element.getAttribute('data-warnings'),
  }));
  const number = (value: string | null) => (value === null || value === '' ? null : Number(value));
  return {
    lag: number(attributes.lag),
    processors: number(attributes.processors),
    deadLetters: number(attributes.deadLetters),
    warnings: attributes.warnings ? attributes.warnings.split(' ') : [],
  };
}

/** Waits for the panel to show what `check` wants, with the server's and processor's logs on failure. */
async function panelShows<T>(
  what: string,
  check: (now: Awaited<ReturnType<typeof shown>>) => T | undefined | false,
  timeoutMs = 30_000,
) {
  return waitFor(what, async () => check(await shown()), timeoutMs, 250).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${system.logs()}`);
  });
}

async function producePoison(key: string, value: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-poison', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: topicsFor(system.prefix).created.name, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  system = await startSystem();
  catalogue = await catalogueOf(system);
  dashboard = await openDashboardInChromium(system.baseUrl);
  page = dashboard.page;
  panel = page.getByTestId('pipeline');
  // The processor joins its group on fresh topics: the panel shows it once it has.
  await panel.waitFor({ timeout: 30_000 });
  await panelShows('the processor in the group', (now) => now.processors === 1, 60_000);
}, 120_000);

afterAll(() => closeInOrder(dashboard, system), 60_000);

describe('the Pipeline panel', () => {
  it('lists a poison message as a dead letter, discards it once, and requeues another that comes back with its reason', async () => {
    const before = (await shown()).deadLetters ?? 0;
    await producePoison('e2e-poison-1', 'not json {');
    await panelShows('one more dead letter', (now) => now.deadLetters === before + 1);

    await page.getByRole('button', { name: 'Show dead letters' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dead letters' });
    const letters = dialog.getByRole('listitem');
    const poison = letters.filter({ hasText: 'not json {' });
    await poison.waitFor();
    expect(await poison.getByText('the message is not JSON').isVisible()).toBe(true);
    expect(
      await poison
        .getByText(
          new RegExp(`${topicsFor(system.prefix).created.name} · partition \\d · offset \\d+ · key e2e-poison-1`),
        )
        .isVisible(),
    ).toBe(true);
    const raw = poison.getByLabel('Raw value');
    expect(await raw.textContent()).toBe('not json {');
    expect(await raw.evaluate((element) => getComputedStyle(element).fontFamily)).toMatch(/mono/i);
    const discardedId = await poison.getAttribute('data-dead-letter');

    // Discard, confirmed: it leaves the list once and does not come back.
    await poison.getByRole('button', { name: 'Discard' }).click();
    const confirmDiscard = page.getByRole('dialog', { name: 'Discard this message?' });
    await confirmDiscard.getByRole('button', { name: 'Discard' }).click();
    await dialog.getByText(`Discarded ${discardedId}.`).waitFor();
    await waitFor('the discarded letter to leave the list', async () => (await poison.count()) === 0, 10_000);
    await panelShows('the count back down', (now) => now.deadLetters === before);
    const again = await system.graphql(
      'mutation E2E_DiscardAgain($id: ID!) { discardDeadLetter(id: $id) { action } }',
      { id: discardedId },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('DEAD_LETTER_ALREADY_HANDLED');
    await page.waitForTimeout(4_500); // two samples: it stays gone
    expect(await poison.count()).toBe(0);
    expect((await shown()).deadLetters).toBe(before);

    // Requeue, confirmed: sent to orders.created again, still unreadable, back as a new letter with its reason.
    await producePoison('e2e-poison-2', '{"v": 1, "type": "OrderCreated"');
    const second = letters.filter({ hasText: 'e2e-poison-2' });
    await second.waitFor({ timeout: 30_000 });
    const firstId = await second.getAttribute('data-dead-letter');
    await second.getByRole('button', { name: 'Requeue' }).click();
    const confirmRequeue = page.getByRole('dialog', { name: 'Requeue this message?' });
    await confirmRequeue.getByRole('button', { name: 'Requeue' }).click();
    await dialog.getByText(`Requeued ${firstId}.`).waitFor();
    const back = await waitFor(
      'the requeued message back in the list as a new letter',
      async () => {
        const ids = await second.evaluateAll((items) => items.map((item) => item.getAttribute('data-dead-letter')));
        return ids.length === 1 && ids[0] !== firstId ? ids[0] : undefined;
      },
      30_000,
      250,
    );
    expect(back).not.toBe(firstId);
    const returned = letters.filter({ hasText: 'e2e-poison-2' });
    expect(await returned.getByText('the message is not JSON').count()).toBe(1);
    expect(await returned.getByLabel('Raw value').textContent()).toBe('{"v": 1, "type": "OrderCreated"');
    await panelShows('one open dead letter: the requeued one', (now) => now.deadLetters === before + 1);
    await dashboard.screenshot('dead-letters');
    await dialog.getByRole('button', { name: 'Close list' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(dashboard.errors).toEqual([]);
  });

  it('shows orders decided, then the lag rising and the warnings while the processor is stopped, then the recovery', async () => {
    for (let i = 0; i < 6; i++) await createOrder();
    await waitFor(
      'decisions per second above zero on screen',
      async () => {
        const value = await page.getByRole('region', { name: /^Decisions\/s: / }).getAttribute('aria-label');
        return value !== null && value !== 'Decisions/s: 0';
      },
      30_000,
      250,
    );
    expect(await page.getByRole('region', { name: /^p95 latency: \d/ }).count()).toBe(1);
    expect((await shown()).warnings).toEqual([]);

    await system.stopProcessor();
    await panelShows(
      'the NO_PROCESSOR warning',
      (now) => now.processors === 0 && now.warnings.includes('NO_PROCESSOR'),
    );
    expect(await page.getByRole('alert').filter({ hasText: 'No processor is running' }).isVisible()).toBe(true);

    // Orders keep coming; nothing decides them: the lag the panel shows climbs until it warns.
    const lags: number[] = [];
    await waitFor(
      'the LAG_GROWING warning',
      async () => {
        await createOrder();
        await createOrder();
        await page.waitForTimeout(600);
        const now = await shown();
        if (now.lag !== null && now.lag !== lags.at(-1)) lags.push(now.lag);
        return now.warnings.includes('LAG_GROWING');
      },
      45_000,
      0,
    );
    expect(lags.length).toBeGreaterThanOrEqual(4);
    expect(lags.every((lag, i) => i === 0 || lag > lags[i - 1]!)).toBe(true);
    const alert = page.getByRole('alert').filter({ hasText: 'Consumer lag is growing' });
    expect(await alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/rose in each of the last 4 samples/);
    await page.mouse.move(0, 0);
    await page
      .getByRole('region', { name: 'Pipeline', exact: true })
      .screenshot({ path: path.join(screenshotsDir, 'pipeline.png'), animations: 'disabled' });
    await dashboard.screenshot('pipeline-page');

    system.startProcessor();
    const recovered = await panelShows(
      'the lag back at zero, a processor and no warning',
      (now) => now.processors === 1 && now.lag === 0 && now.warnings.length === 0 && now,
      60_000,
    );
    expect(recovered.warnings).toEqual([]);
    expect(await page.getByRole('status', { name: 'Pipeline warnings' }).count()).toBe(0);
  });
});
