/**
 * The processor on the real servers: each order decided once, from the stock
 * and the payment rules, stored, logged to `orders.status` and announced on
 * Redis; duplicates change nothing and poison messages do not block a partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeId, type OrderCreatedEvent } from '@orders/core';
import type { Processor } from '../src/app.ts';
import { waitFor } from '../../test/support/index.ts';
import { createTestBed, decided, produceOrder, type TestBed } from './harness.ts';

let bed: TestBed;
let processor: Processor;

beforeAll(async () => {
  bed = await createTestBed();
  processor = await bed.startProcessor();
});
afterAll(() => bed?.close());

const eventsFor = (orderId: string) => bed.seen.statusEvents.filter((event) => event.orderId === orderId);
const redisFor = (orderId: string) => bed.seen.redisMessages.filter((message) => message.order._id === orderId);

describe('the order processor', () => {
  it('processes an order the stock covers: reserves the stock, records the history, logs and announces it once', async () => {
    const { sku, event } = await produceOrder(bed, 10, 3);

    const order = await decided(bed, event.orderId);
    expect(order).toMatchObject({ status: 'PROCESSED', version: 2, attempts: 1, error: null, failedAt: null });
    expect(order.processedAt).toBeInstanceOf(Date);
    expect(order.history.map((entry) => [entry.version, entry.previousStatus, entry.status])).toEqual([
      [1, null, 'PENDING'],
      [2, 'PENDING', 'PROCESSED'],
    ]);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(7);

    await waitFor('the status event and the redis message', () => eventsFor(event.orderId).length === 1);
    await waitFor('the redis message', () => redisFor(event.orderId).length === 1);
    expect(eventsFor(event.orderId)[0]).toEqual({
      v: 1,
      type: 'OrderStatusChanged',
      changeId: changeId(event.orderId, 2),
      orderId: event.orderId,
      version: 2,
      previousStatus: 'PENDING',
      status: 'PROCESSED',
      error: null,
      at: order.updatedAt.toISOString(),
      partition: expect.any(Number),
      seq: expect.any(Number),
    });
    // Its place in its partition's stream: stored before it went out, odd for a decision (2 × offset + 1).
    const stored = await bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean();
    expect(stored).toMatchObject({
      partition: eventsFor(event.orderId)[0]!.partition,
      seq: eventsFor(event.orderId)[0]!.seq,
    });
    expect(eventsFor(event.orderId)[0]!.seq! % 2).toBe(1);
    const [message] = redisFor(event.orderId);
    expect(message?.change).toEqual(eventsFor(event.orderId)[0]);
    expect(message?.order).toMatchObject({ status: 'PROCESSED', version: 2, attempts: 1 });
    expect(message?.order.history).toHaveLength(2);
  });

  it('fails an order the stock cannot cover, saying so, and leaves the stock as it was', async () => {
    const { sku, event } = await produceOrder(bed, 2, 5);

    const order = await decided(bed, event.orderId);
    expect(order).toMatchObject({
      status: 'FAILED',
      version: 2,
      error: `out of stock: ${sku} has 2 left, 5 requested`,
      processedAt: null,
    });
    expect(order.failedAt).toBeInstanceOf(Date);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(2);
    const change = await bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean();
    expect(change?.stockAfter).toBeNull();
  });

  it('ignores the same message delivered twice: the order, the stock and the event log stay as they are', async () => {
    const { sku, event } = await produceOrder(bed, 5, 1);
    const before = await decided(bed, event.orderId);
    const redeliveredBefore = processor.stats.redelivered;

    await bed.produce(sku, event);
    // A later order of the same SKU sits behind the duplicate in the same partition.
    const later = await bed.addOrder(sku, 1);
    await bed.produce(sku, later);
    await decided(bed, later.orderId);

    expect(await bed.models.Order.findById(event.orderId).lean()).toEqual(before);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(3);
    expect(processor.stats.redelivered).toBe(redeliveredBefore + 1);
    await waitFor('the later order in the event log', () => eventsFor(later.orderId).length === 1);
    expect(eventsFor(event.orderId)).toHaveLength(1);
    expect(redisFor(event.orderId)).toHaveLength(1);
  });

  it('sends poison messages to the dead letters with their reason and goes on with the next order', async () => {
    const sku = await bed.addProduct(5);
    const good = await bed.addOrder(sku, 1);
    const deadBefore = processor.stats.deadLettered;
    await bed.produce(sku, 'this is not JSON');
    await bed.produce(sku, JSON.stringify({ ...good, v: 2 }));
    await bed.produce(sku, { ...good, orderId: 'no-such-order' });
    await bed.produce(sku, good);

    expect((await decided(bed, good.orderId)).status).toBe('PROCESSED');
    await waitFor('three dead letters', () => bed.seen.deadLetters.filter((l) => l.key === sku).length === 3);
    const letters = bed.seen.deadLetters.filter((letter) => letter.key === sku);
    expect(letters.map((letter) => letter.reason)).toEqual([
      'the message is not JSON',
      'not an OrderCreated v1 event: v: Invalid input: expected 1',
      'unknown order',
    ]);
    expect(letters[0]).toMatchObject({ topic: bed.topics.created.name, value: 'this is not JSON' });
    expect(letters.every((letter) => /^\d+$/.test(letter.offset))).toBe(true);
    expect(processor.stats.deadLettered).toBe(deadBefore + 3);
  });

  it('decides 30 orders of a product with 20 in stock: 20 processed, 10 out of stock, never below zero', async () => {
    const sku = await bed.addProduct(20);
    const events: OrderCreatedEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(await bed.addOrder(sku, 1));
    for (const event of events) await bed.produce(sku, event);

    const orders = await Promise.all(events.map((event) => decided(bed, event.orderId)));
    const processed = orders.filter((order) => order.status === 'PROCESSED');
    const failed = orders.filter((order) => order.status === 'FAILED');
    expect(processed).toHaveLength(20);
    expect(failed).toHaveLength(10);
    // Orders are decided in the order they were produced: the first 20 win the stock.
    expect(orders.slice(0, 20).every((order) => order.status === 'PROCESSED')).toBe(true);
    expect(failed.every((order) => order.error === `out of stock: ${sku} has 0 left, 1 requested`)).toBe(true);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(0);
    const changes = await Promise.all(
      events.map((event) => bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean()),
    );
    expect(changes.map((change) => change?.stockAfter)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => 19 - i),
      ...Array.from({ length: 10 }, () => null),
    ]);
  });
});

describe('deciding new orders together', () => {
  it('decides the orders that arrive together in order, against the stock each left, and each once', async () => {
    const sku = await bed.addProduct(5);
    const events: OrderCreatedEvent[] = [];
    for (let i = 0; i < 8; i++) events.push(await bed.addOrder(sku, 1));
    await bed.produceAll(sku, events);

    const orders = await Promise.all(events.map((event) => decided(bed, event.orderId)));
    expect(orders.map((order) => order.status)).toEqual([...Array(5).fill('PROCESSED'), ...Array(3).fill('FAILED')]);
    const changes = await Promise.all(
      events.map((event) => bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean()),
    );
    expect(changes.map((change) => change?.stockAfter)).toEqual([4, 3, 2, 1, 0, null, null, null]);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(0);
    await waitFor('every event', () => events.every((event) => eventsFor(event.orderId).length === 1));
    // In the order of their offsets, as subscribers resuming from a cursor count them.
    const seqs = events.map((event) => eventsFor(event.orderId)[0]!.seq!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('follows a claim an earlier attempt made in the middle, and decides what comes after it against the stock that claim left', async () => {
    const sku = await bed.addProduct(10);
    const events: OrderCreatedEvent[] = [];
    for (let i = 0; i < 6; i++) events.push(await bed.addOrder(sku, 2));
    // As if a processor had claimed the third decision and died: payment declined, nothing reserved.
    await bed.models.StatusChange.create({
      _id: changeId(events[2]!.orderId, 2),
      orderId: events[2]!.orderId,
      version: 2,
      previousStatus: 'PENDING',
      status: 'FAILED',
      error: 'payment declined',
      at: new Date(),
      stockAfter: null,
    });
    await bed.produceAll(sku, events);

    const orders = await Promise.all(events.map((event) => decided(bed, event.orderId)));
    expect(orders.map((order) => [order.status, order.error])).toEqual([
      ['PROCESSED', null],
      ['PROCESSED', null],
      ['FAILED', 'payment declined'],
      ['PROCESSED', null],
      ['PROCESSED', null],
      ['PROCESSED', null],
    ]);
    const changes = await Promise.all(
      events.map((event) => bed.models.StatusChange.findById(changeId(event.orderId, 2)).lean()),
    );
    // Had the orders after it been decided as if the third were processed, the last would find no stock.
    expect(changes.map((change) => change?.stockAfter)).toEqual([8, 6, null, 4, 2, 0]);
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(0);
    await waitFor('every event', () => events.every((event) => eventsFor(event.orderId).length === 1));
  });

  it('sends an event about an order the index knew but MongoDB never stored to the dead letters, reserving nothing', async () => {
    const sku = await bed.addProduct(3);
    const ghost = await bed.addOrder(sku, 1);
    await bed.models.Order.deleteOne({ _id: ghost.orderId });
    const after = await bed.addOrder(sku, 1);
    await bed.produceAll(sku, [ghost, after]);

    expect((await decided(bed, after.orderId)).status).toBe('PROCESSED');
    await waitFor('the dead letter', () =>
      bed.seen.deadLetters.some((letter) => letter.key === sku && letter.reason === 'unknown order'),
    );
    expect(await bed.models.StatusChange.findById(changeId(ghost.orderId, 2)).lean()).toBeNull();
    expect(await bed.models.StatusChange.findById(changeId(after.orderId, 2)).lean()).toMatchObject({ stockAfter: 2 });
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(2);
    expect(eventsFor(ghost.orderId)).toEqual([]);
  });
});

describe('finishing what an earlier attempt started', () => {
  it('follows a decision an earlier attempt claimed, not a new one', async () => {
    const sku = await bed.addProduct(10);
    const event = await bed.addOrder(sku, 4);
    // As if a processor died right after claiming the change: the claim is there, nothing else.
    const at = new Date(Date.now() - 1000);
    await bed.models.StatusChange.create({
      _id: changeId(event.orderId, 2),
      orderId: event.orderId,
      version: 2,
      previousStatus: 'PENDING',
      status: 'FAILED',
      error: 'payment declined',
      at,
      stockAfter: null,
    });
    await bed.produce(sku, event);

    const order = await decided(bed, event.orderId);
    expect(order).toMatchObject({ status: 'FAILED', error: 'payment declined', version: 2, updatedAt: at });
    expect((await bed.models.Product.findById(sku).lean())?.stock).toBe(10);
    await waitFor('the claimed change in the event log', () => eventsFor(event.orderId).length === 1);
    expect(eventsFor(event.orderId)[0]?.status).toBe('FAILED');
  });

  it('publishes a change that was stored on the order but never published, once', async () => {
    const sku = await bed.addProduct(10);
    const event = await bed.addOrder(sku, 1);
    // As if a processor died after projecting the change but before publishing it.
    const at = new Date();
    const entry = { version: 2, previousStatus: 'PENDING' as const, status: 'PROCESSED' as const, at, error: null };
    await bed.models.StatusChange.create({ _id: changeId(event.orderId, 2), orderId: event.orderId, ...entry });
    await bed.models.Order.updateOne(
      { _id: event.orderId },
      {
        $set: { status: 'PROCESSED', version: 2, processedAt: at, updatedAt: at, attempts: 1 },
        $push: { history: entry },
      },
    );
    await bed.produce(sku, event);
    await bed.produce(sku, event);

    await decided(bed, event.orderId);
    const later = await bed.addOrder(sku, 1);
    await bed.produce(sku, later);
    await decided(bed, later.orderId);
    await waitFor('the later order in the event log', () => eventsFor(later.orderId).length === 1);
    expect(eventsFor(event.orderId)).toHaveLength(1);
    expect(redisFor(event.orderId).map((message) => message.order.version)).toEqual([2]);
    expect((await bed.models.Order.findById(event.orderId).lean())?.history).toHaveLength(2);
  });
});
