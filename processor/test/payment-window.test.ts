/**
 * The payment window against a payment service process of this file's own: while one order's payment
 * hangs, the payments of the orders after it in its partition are asked ahead, up to
 * PROCESSOR_MAX_IN_FLIGHT, and none of those orders is decided before it: decisions keep the
 * messages' order, whatever order the answers come in. The other partitions go on meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATED_PARTITIONS } from '@orders/core';
import { keyPartitioner } from '@orders/core/testing';
import { sleep, startPaymentService, waitFor, type TestPaymentService } from '../../test/support/index.ts';
import { createTestBed, type TestBed } from './harness.ts';

let bed: TestBed;
let payments: TestPaymentService;
const partitionOf = keyPartitioner(CREATED_PARTITIONS);
/** The partitions whose first undecided order's payment hangs: nothing after it there is decided. */
const stuck = new Set<number>();

beforeAll(async () => {
  payments = await startPaymentService();
  bed = await createTestBed({
    PAYMENTS_URL: payments.url,
    // The hanging payment stays in flight for the whole test.
    PAYMENTS_TIMEOUT_MS: '30000',
    PAYMENTS_RETRIES: '0',
    PROCESSOR_MAX_IN_FLIGHT: '5',
  });
  await bed.startProcessor();
});
afterAll(async () => {
  await bed?.close();
  await payments?.close();
});

describe('the payments of a partition in flight side by side', () => {
  it('asks the payments after a hanging one, up to the window, and decides none of those orders before it', async () => {
    const sku = await bed.addProduct(100);
    const hanging = await bed.addOrder(sku, 1, { customerId: 'cus_timeout_1' });
    stuck.add(partitionOf({ key: sku }));
    const after: Awaited<ReturnType<TestBed['addOrder']>>[] = [];
    for (let i = 0; i < 9; i++) after.push(await bed.addOrder(sku, 1));
    await bed.produceAll(sku, [hanging, ...after]);

    // The window holds five payments: the hanging one and the next four, asked while it hangs.
    const asked = after.slice(0, 4).map((event) => event.orderId);
    await waitFor('the payments after the hanging one to be asked', async () => {
      const entries = await payments.ledger({ status: 'authorized' });
      return asked.every((id) => entries.some((entry) => entry.orderId === id));
    });
    await sleep(1000);
    const entries = await payments.ledger();
    expect(entries.map((entry) => entry.orderId).sort()).toEqual([...asked].sort());

    // Answered, and still not decided: the first order of the partition is not.
    const orders = await Promise.all([hanging, ...after].map((e) => bed.models.Order.findById(e.orderId).lean()));
    expect(orders.map((order) => order?.status)).toEqual(Array.from({ length: 10 }, () => 'PENDING'));
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(100);
  });

  it('decides the orders of the other partitions while a payment hangs', async () => {
    const stuckSku = await bed.addProduct(100);
    stuck.add(partitionOf({ key: stuckSku }));
    await bed.produce(stuckSku, await bed.addOrder(stuckSku, 1, { customerId: 'cus_timeout_2' }));
    await sleep(500);

    // Products of every other partition, one order each, sent while that payment hangs.
    const others: string[] = [];
    while (others.length < 3) {
      const sku = await bed.addProduct(10);
      if (stuck.has(partitionOf({ key: sku }))) continue;
      const event = await bed.addOrder(sku, 1);
      await bed.produce(sku, event);
      others.push(event.orderId);
    }
    await waitFor(
      'the orders of the other partitions to be decided',
      async () => {
        const orders = await Promise.all(others.map((id) => bed.models.Order.findById(id).lean()));
        return orders.every((order) => order?.status === 'PROCESSED');
      },
      15_000,
    );
  });
});
