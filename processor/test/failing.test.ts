/** Orders that end FAILED for other reasons than stock: declined payments, and messages that keep failing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeId } from '@orders/core';
import type { Processor } from '../src/app.ts';
import { waitFor } from '../../test/support/index.ts';
import { createTestBed, decided, produceOrder, type TestBed } from './harness.ts';

let bed: TestBed;
let processor: Processor;

beforeAll(async () => {
  bed = await createTestBed({ PAYMENT_FAILURE_RATE: '1', PROCESSOR_MAX_ATTEMPTS: '3' });
  processor = await bed.startProcessor({ backoff: { initialMs: 20, maxMs: 100 } });
});
afterAll(() => bed?.close());

describe('failing orders', () => {
  it('declines every payment at PAYMENT_FAILURE_RATE=1 and reserves nothing', async () => {
    const { sku, event } = await produceOrder(bed, 10, 2);

    const order = await decided(bed, event.orderId);
    expect(order).toMatchObject({ status: 'FAILED', error: 'payment declined', version: 2, processedAt: null });
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(10);
    await waitFor('the FAILED event', () => bed.seen.statusEvents.some((e) => e.orderId === event.orderId));
    expect(bed.seen.statusEvents.find((e) => e.orderId === event.orderId)).toMatchObject({
      status: 'FAILED',
      error: 'payment declined',
    });
  });

  it('fails an order whose message keeps failing after PROCESSOR_MAX_ATTEMPTS tries, rather than leave it PENDING', async () => {
    const sku = await bed.addProduct(10);
    const event = await bed.addOrder(sku, 1);
    // A stored order the processor cannot read its product for, however often it tries. The event
    // leaves out the order's fields (as events from before they were carried did), so the processor
    // reads the order from MongoDB.
    await bed.models.Order.collection.updateOne({ _id: event.orderId as never }, { $set: { sku: { broken: true } } });
    const retriesBefore = processor.stats.retries;
    const { orderNumber: _number, total: _total, createdAt: _createdAt, ...withoutOrder } = event;
    await bed.produce(sku, withoutOrder);

    const order = await decided(bed, event.orderId);
    expect(order.status).toBe('FAILED');
    expect(order.error).toMatch(/^processing failed after 3 attempts: Cast to string failed/);
    expect(processor.stats.retries - retriesBefore).toBe(3);
    const change = await bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean();
    expect(change).toMatchObject({ status: 'FAILED', error: order.error });

    // The partition goes on: the next order of the same SKU is decided as usual.
    const next = await bed.addOrder(sku, 1);
    await bed.produce(sku, next);
    expect((await decided(bed, next.orderId)).error).toBe('payment declined');
  });
});
