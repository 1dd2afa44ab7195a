/** Starting and stopping: an explicit status, readiness, and a stop that commits what it finished. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderCreatedEvent } from '@orders/core';
import { waitFor } from '../../test/support/index.ts';
import { createTestBed, decided, type TestBed } from './harness.ts';

let bed: TestBed;

beforeAll(async () => {
  bed = await createTestBed({ PROCESSING_DELAY_MS: '30' });
});
afterAll(() => bed?.close());

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

    const first = await bed.startProcessor();
    for (const event of events) await bed.produce(event.sku, event);
    await waitFor('the first orders to be decided', () => first.stats.processed >= 3);
    await first.stop();
    const leftPending = await bed.models.Order.countDocuments({ status: 'PENDING' });
    expect(leftPending).toBeGreaterThan(0);

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
