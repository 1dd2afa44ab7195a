/** Starting and stopping: an explicit status, readiness, and a stop that commits what it finished. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderCreatedEvent } from '@orders/core';
import { startPaymentService, waitFor, type TestPaymentService } from '../../test/support/index.ts';
import { createTestBed, decided, type TestBed } from './harness.ts';

let bed: TestBed;
let payments: TestPaymentService;

beforeAll(async () => {
  // A payment service of its own, whose outage holds orders in hand when the processor is stopped.
  payments = await startPaymentService();
  bed = await createTestBed({ PAYMENTS_URL: payments.url, PAYMENTS_BREAKER_HALF_OPEN_MS: '200' });
});
afterAll(async () => {
  await bed?.close();
  await payments?.close();
});

describe('a processor stopping and another taking over', () => {
  it('reports its status and readiness from start to stop', async () => {
    const processor = await bed.startProcessor();
    expect(processor.status).toBe('running');
    expect(await processor.readiness()).toEqual({ ready: true, status: 'running', problems: [] });

    const stopping = processor.stop();
    expect(processor.status).toBe('stopping');
    await stopping;
    expect(processor.status).toBe('stopped');
    const readiness = await processor.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.problems).toContain('processor is stopped');
    await expect(processor.start()).rejects.toThrow('cannot start a processor that is stopped');
  });

  it('commits what it finished when stopped mid-stream, so the next instance of the group reprocesses nothing', async () => {
    const skus = await Promise.all([bed.addProduct(100), bed.addProduct(100), bed.addProduct(100)]);
    const events: OrderCreatedEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(await bed.addOrder(skus[i % 3]!, 1));

    const first = await bed.startProcessor({ backoff: { initialMs: 20, maxMs: 200 } });
    for (const event of events.slice(0, 3)) await bed.produce(event.sku, event);
    await waitFor('the first orders to be decided', () => first.stats.processed >= 3);
    // The rest wait on the payment service while the processor is stopped.
    await payments.startOutage('errors');
    for (const event of events.slice(3)) await bed.produce(event.sku, event);
    await waitFor('the processor to wait on the payment service', () => first.stats.retries > 0);
    await first.stop();
    await payments.endOutage();
    const leftPending = await bed.models.Order.countDocuments({ status: 'PENDING' });
    expect(leftPending).toBe(27);

    const second = await bed.startProcessor();
    await Promise.all(events.map((event) => decided(bed, event.orderId)));
    expect(second.stats.redelivered).toBe(0);
    expect(first.stats.processed + second.stats.processed).toBe(30);
    expect(second.stats.processed).toBe(leftPending);
    await waitFor('every decision in the event log', () => bed.seen.statusEvents.length >= 30);
    const perOrder = new Map<string, number>();
    for (const event of bed.seen.statusEvents) perOrder.set(event.orderId, (perOrder.get(event.orderId) ?? 0) + 1);
    expect([...perOrder.values()].every((count) => count === 1)).toBe(true);
    for (const sku of skus) expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(90);
    await second.stop();
  });
});
