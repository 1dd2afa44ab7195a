/**
 * The processor as a process (processor/src/main.ts) answers on its own HTTP
 * listener: /health at once, /ready once it runs, /metrics with what it
 * decided; and a processor whose port is taken still decides orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  graphqlAnswer,
  operatorToken,
  startProcesses,
  waitFor,
  type ProcessSystem,
  type Running,
} from '../support/index.ts';
import { scrape } from './scrape.ts';

const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
const port = freePort();
const listener = `http://127.0.0.1:${port}`;

let system: ProcessSystem;
let server: Running;

const decisions = async () => (await scrape(`${listener}/metrics`)).value('order_decisions_total');

async function createOrders(count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const input = { customerId: `cus_00${10 + from + i}`, sku: `SKU-000${1 + ((from + i) % 9)}`, quantity: 1 };
    const answer = await graphqlAnswer(`${server.url}/graphql`, CREATE, { input }, operatorToken);
    expect(answer.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  system = startProcesses('processor-http', {}, { keepOutput: true });
  server = await system.startServer();
});
afterAll(() => system?.close());

describe('the processor process', () => {
  it('answers /health, /ready and /metrics on PROCESSOR_PORT, and its metrics count what it decides', async () => {
    system.startProcessor({ PROCESSOR_PORT: String(port), PROCESSOR_HOST: '127.0.0.1' });
    await waitFor(
      '/health',
      async () => (await fetch(`${listener}/health`).catch(() => undefined))?.status === 200,
      60_000,
      250,
    );
    await waitFor('/ready', async () => (await fetch(`${listener}/ready`)).status === 200, 60_000, 250);
    const ready = (await (await fetch(`${listener}/ready`)).json()) as { status: string; problems: string[] };
    expect(ready).toMatchObject({ status: 'ready', problems: [] });
    expect((await fetch(`${listener}/elsewhere`)).status).toBe(404);

    await createOrders(3, 0);
    await waitFor('3 decisions in /metrics', async () => (await decisions()) === 3, 60_000, 250);
    expect((await scrape(`${listener}/metrics`)).value('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('still decides orders when its port is taken, and says what to set', async () => {
    const second = system.startProcessor({ PROCESSOR_PORT: String(port), PROCESSOR_HOST: '127.0.0.1' });
    await waitFor(
      'the second processor to report the taken port',
      () => system.logs().includes('set PROCESSOR_PORT'),
      60_000,
      250,
    );
    // The first is stopped: what is decided next is the second's (its metrics unreadable, its work visible).
    await system.processors[0]!.stop();
    const before = await countDecided();
    await createOrders(2, 3);
    await waitFor(
      'the second processor to decide the 2 new orders',
      async () => (await countDecided()) === before + 2,
      60_000,
      250,
    );
    expect(second.child.exitCode).toBeNull();
  });
});

/** Orders no longer PENDING, read back through the API. */
async function countDecided(): Promise<number> {
  const answer = await graphqlAnswer<{ orderStats: { processed: number; failed: number } }>(
    `${server.url}/graphql`,
    `{ orderStats { processed failed } }`,
    {},
    operatorToken,
  );
  expect(answer.errors).toBeUndefined();
  return answer.data!.orderStats.processed + answer.data!.orderStats.failed;
}
