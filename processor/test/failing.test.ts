/**
 * Orders and the payment service: declines end orders FAILED with their code and take no stock, an order
 * the stock cannot serve is never charged, an order is charged once however often it is decided, and
 * while the payment service (or anything else an order needs) is away the order waits PENDING, never
 * FAILED, and is decided once it is back. Against a payment service process of this file's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeId } from '@orders/core';
import type { Processor } from '../src/app.ts';
import { sleep, startPaymentService, waitFor, type TestPaymentService } from '../../test/support/index.ts';
import { createTestBed, decided, produceOrder, type TestBed } from './harness.ts';

let bed: TestBed;
let payments: TestPaymentService;
let processor: Processor;

beforeAll(async () => {
  payments = await startPaymentService();
  bed = await createTestBed({
    PAYMENTS_URL: payments.url,
    PAYMENTS_TIMEOUT_MS: '300',
    PAYMENTS_RETRIES: '1',
    PAYMENTS_BREAKER_FAILURES: '3',
    PAYMENTS_BREAKER_HALF_OPEN_MS: '300',
  });
  processor = await bed.startProcessor({ backoff: { initialMs: 20, maxMs: 200 } });
});
afterAll(async () => {
  await bed?.close();
  await payments?.close();
});

async function metric(name: string, labels: string): Promise<number> {
  const text = await processor.metrics.registry.metrics();
  const line = text.split('\n').find((row) => row.startsWith(`${name}{${labels}}`));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

describe('orders and their payments', () => {
  it('fails an order whose payment is declined with the decline code, and reserves nothing', async () => {
    const sku = await bed.addProduct(10);
    const event = await bed.addOrder(sku, 2, { customerId: 'cus_decline_1' });
    await bed.produce(sku, event);

    const order = await decided(bed, event.orderId);
    expect(order).toMatchObject({ status: 'FAILED', error: 'payment declined: card_declined', processedAt: null });
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(10);
    expect(await payments.ledger({ orderId: event.orderId })).toMatchObject([
      { idempotencyKey: `${event.orderId}:1`, amount: 1000, status: 'declined', declineCode: 'card_declined' },
    ]);
  });

  it('never asks a payment for an order the stock cannot serve', async () => {
    const { event } = await produceOrder(bed, 1, 2);
    expect((await decided(bed, event.orderId)).error).toBe(`out of stock: ${event.sku} has 1 left, 2 requested`);
    expect(await payments.ledger({ orderId: event.orderId })).toEqual([]);
  });

  it('leaves the stock exact when a third of the payments of a run decline', async () => {
    const sku = await bed.addProduct(100);
    const events = [];
    for (let i = 0; i < 30; i++) {
      events.push(await bed.addOrder(sku, 1 + (i % 3), { customerId: i % 3 === 0 ? 'cus_nofunds_7' : 'cus_0002' }));
    }
    await bed.produceAll(sku, events);
    const orders = await Promise.all(events.map((event) => decided(bed, event.orderId)));

    const processed = orders.filter((order) => order.status === 'PROCESSED');
    expect(processed).toHaveLength(20);
    expect(orders.filter((order) => order.error === 'payment declined: insufficient_funds')).toHaveLength(10);
    const taken = processed.reduce((sum, order) => sum + order.quantity, 0);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(100 - taken);
    const authorized = (await Promise.all(events.map((e) => payments.ledger({ orderId: e.orderId })))).flat();
    expect(authorized.filter((entry) => entry.status === 'authorized')).toHaveLength(20);
  });

  it('charges an order once however often its message is delivered', async () => {
    const { sku, event } = await produceOrder(bed, 10, 1);
    await decided(bed, event.orderId);
    await bed.produce(sku, event);
    await bed.produce(sku, event);
    const next = await bed.addOrder(sku, 1);
    await bed.produce(sku, next);
    await decided(bed, next.orderId);

    expect(await payments.ledger({ orderId: event.orderId })).toHaveLength(1);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(8);
  });

  it('keeps an order PENDING while the payment service is down, opens the breaker, and decides it once it is back', async () => {
    await payments.startOutage('errors');
    const { sku, event } = await produceOrder(bed, 10, 1);
    await waitFor('the breaker to open', async () => (await metric('payment_breaker_state', 'state="open"')) === 1);
    await waitFor(
      'the partition to pause',
      async () => (await metric('processor_paused_partitions', 'cause="payments"')) === 1,
    );
    await sleep(1500);
    expect((await bed.models.Order.findById(event.orderId).lean())?.status).toBe('PENDING');
    expect(await bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean()).toBeNull();

    await payments.endOutage();
    expect((await decided(bed, event.orderId)).status).toBe('PROCESSED');
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(9);
    expect(await payments.ledger({ orderId: event.orderId })).toHaveLength(1);
    await waitFor('the breaker to close', async () => (await metric('payment_breaker_state', 'state="closed"')) === 1);
    expect(await metric('processor_paused_partitions', 'cause="payments"')).toBe(0);
  });

  it('keeps an order PENDING while its message keeps failing for another reason, and decides it once that is fixed', async () => {
    const sku = await bed.addProduct(10);
    const event = await bed.addOrder(sku, 1);
    // A stored order whose product the processor cannot read, however often it tries. The event leaves
    // out the order's fields (as events from before they were carried did), so the order is read from MongoDB.
    await bed.models.Order.collection.updateOne({ _id: event.orderId as never }, { $set: { sku: { broken: true } } });
    const retriesBefore = processor.stats.retries;
    const { orderNumber: _number, total: _total, createdAt: _createdAt, ...withoutOrder } = event;
    await bed.produce(sku, withoutOrder);

    await waitFor('a few retries', () => processor.stats.retries - retriesBefore >= 5);
    expect(await metric('processor_paused_partitions', 'cause="other"')).toBe(1);
    expect((await bed.models.Order.findById(event.orderId).lean())?.status).toBe('PENDING');

    await bed.models.Order.collection.updateOne({ _id: event.orderId as never }, { $set: { sku } });
    expect((await decided(bed, event.orderId)).status).toBe('PROCESSED');
    expect(await metric('processor_paused_partitions', 'cause="other"')).toBe(0);
  });
});
