/**
 * The whole pipeline on the real servers: createOrder → Kafka → processor →
 * MongoDB → Redis → graphql-ws subscribers. Server and processor run
 * in-process, each with its own database and topic prefix.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, topicsFor } from '@orders/core';
import { collect, startTestServer, waitFor, type TestServer } from './support/index.ts';
import { readTopic } from './faults/cluster.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('pipeline', {}, { withProcessor: true });
});
afterAll(() => server?.close());

/** Every event in a topic, read from the beginning with a throwaway consumer group. */
const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id orderNumber } }`;

describe('the order pipeline', () => {
  it('decides each of 100 orders once, and a FAILED-only subscriber receives exactly the failed ones', async () => {
    const client = server.wsClient();
    const failedOnly = collect<{
      orderStatusChanged: { status: string; error: string; order: { orderNumber: string } };
    }>(client, `subscription { orderStatusChanged(status: [FAILED]) { status error order { orderNumber version } } }`);
    const everything = collect<{ orderStatusChanged: { status: string; order: { orderNumber: string } } }>(
      client,
      `subscription { orderStatusChanged { status order { orderNumber } } }`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    // A tight product runs out of stock part way: out-of-stock failures as well as declined payments.
    await server.models.Product.updateOne({ _id: 'SKU-0020' }, { $set: { stock: 10 } });
    const created: string[] = [];
    for (let i = 0; i < 100; i++) {
      const input =
        i % 4 === 0
          ? { customerId: 'cus_0020', sku: 'SKU-0020', quantity: 2 }
          : { customerId: `cus_00${10 + (i % 20)}`, sku: `SKU-00${10 + (i % 10)}`, quantity: 1 };
      const result = await server.graphql<{ createOrder: { orderNumber: string } }>(CREATE, { input });
      expect(result.errors).toBeUndefined();
      created.push(result.data!.createOrder.orderNumber);
    }

    await waitFor(
      'every order to reach a final state',
      async () => (await server.models.Order.countDocuments({ status: 'PENDING' })) === 0,
      60_000,
    );
    const orders = await server.models.Order.find({ orderNumber: mongoose.trusted({ $in: created }) }).lean();
    expect(orders).toHaveLength(100);
    const failed = orders
      .filter((order) => order.status === 'FAILED')
      .map((order) => order.orderNumber)
      .sort();
    const processed = orders.filter((order) => order.status === 'PROCESSED');
    expect(failed.length + processed.length).toBe(100);
    expect(failed.length).toBeGreaterThan(0);
    expect(orders.every((order) => order.version === 2 && order.history.length === 2)).toBe(true);
    expect(orders.filter((o) => o.status === 'FAILED').every((o) => o.error && o.failedAt && !o.processedAt)).toBe(
      true,
    );
    expect(processed.every((o) => o.error === null && o.processedAt && !o.failedAt)).toBe(true);

    // Stock: 5 orders of 2 fit in 10, the rest of SKU-0020 failed out of stock; never negative.
    const tight = orders.filter((order) => order.sku === 'SKU-0020');
    const reserved = tight.filter((order) => order.status === 'PROCESSED').length * 2;
    const product = await server.models.Product.findById('SKU-0020').lean();
    expect(product!.stock).toBe(10 - reserved);
    expect(product!.stock).toBeGreaterThanOrEqual(0);
    expect(tight.some((order) => order.error?.startsWith('out of stock'))).toBe(true);

    await waitFor('every change on the unfiltered subscription', () => everything.received.length >= 100);
    await waitFor('every failure on the FAILED subscription', () => failedOnly.received.length >= failed.length);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const deliveredFailed = failedOnly.received.map((m) => m.orderStatusChanged.order.orderNumber).sort();
    expect(deliveredFailed).toEqual(failed);
    expect(
      failedOnly.received.every((m) => m.orderStatusChanged.status === 'FAILED' && m.orderStatusChanged.error),
    ).toBe(true);
    expect(failedOnly.errors).toEqual([]);

    // The event log holds exactly one decision per order.
    const events = await readTopic(server.kafka, topicsFor(server.config.namePrefix).status.name);
    const perOrder = new Map<string, number>();
    for (const value of events) {
      const { orderId } = JSON.parse(value) as { orderId: string };
      perOrder.set(orderId, (perOrder.get(orderId) ?? 0) + 1);
    }
    expect(perOrder.size).toBe(100);
    expect([...perOrder.values()].every((count) => count === 1)).toBe(true);
    failedOnly.unsubscribe();
    everything.unsubscribe();
  });

  it('retries a FAILED order through the processor again', async () => {
    await server.models.Product.updateOne({ _id: 'SKU-0021' }, { $set: { stock: 0 } });
    const created = await server.graphql<{ createOrder: { id: string } }>(CREATE, {
      input: { customerId: 'cus_0001', sku: 'SKU-0021', quantity: 3 },
    });
    const id = created.data!.createOrder.id;
    const orderQuery = `query($id: ID!) { order(id: $id) { status version error attempts history { status } } }`;
    type OrderResult = {
      order: { status: string; version: number; error: string; attempts: number; history: { status: string }[] };
    };
    await waitFor('the order to fail out of stock', async () => {
      const result = await server.graphql<OrderResult>(orderQuery, { id });
      return result.data?.order.status === 'FAILED';
    });
    await server.models.Product.updateOne({ _id: 'SKU-0021' }, { $set: { stock: 100 } });
    const retried = await server.graphql<{ retryOrder: { status: string } }>(
      `mutation($id: ID!) { retryOrder(id: $id) { status } }`,
      { id },
    );
    expect(retried.data?.retryOrder.status).toBe('PENDING');
    let final: OrderResult['order'] | undefined;
    await waitFor('the retried order to be decided again', async () => {
      final = (await server.graphql<OrderResult>(orderQuery, { id })).data?.order;
      return final?.status !== 'PENDING';
    });
    expect(final!.version).toBe(4);
    expect(final!.history.map((entry) => entry.status)).toEqual(['PENDING', 'FAILED', 'PENDING', final!.status]);
    expect(final!.attempts).toBe(2);
  });

  it('ignores the same Kafka message delivered twice: the order and the event log stay as they are', async () => {
    const created = await server.graphql<{ createOrder: { id: string; orderNumber: string } }>(CREATE, {
      input: { customerId: 'cus_0002', sku: 'SKU-0012', quantity: 1 },
    });
    const orderNumber = created.data!.createOrder.orderNumber;
    await waitFor('the order to be decided', async () => {
      const order = await server.models.Order.findOne({ orderNumber }).lean();
      return order?.status !== 'PENDING';
    });
    const before = await server.models.Order.findOne({ orderNumber }).lean();
    const statusTopic = topicsFor(server.config.namePrefix).status.name;
    const eventsBefore = (await readTopic(server.kafka, statusTopic)).length;
    const stockBefore = (await server.models.Product.findById('SKU-0012').lean())!.stock;

    const producer = createProducer(server.kafka);
    await producer.connect();
    const event = {
      v: 1,
      type: 'OrderCreated',
      orderId: before!._id,
      version: 1,
      customerId: before!.customerId,
      sku: before!.sku,
      quantity: before!.quantity,
      at: before!.createdAt.toISOString(),
    };
    await producer.send({
      topic: topicsFor(server.config.namePrefix).created.name,
      messages: [{ key: before!.sku, value: JSON.stringify(event) }],
    });
    await producer.disconnect();

    // A later order of the same SKU proves the processor got past the duplicate.
    const later = await server.graphql<{ createOrder: { orderNumber: string } }>(CREATE, {
      input: { customerId: 'cus_0003', sku: 'SKU-0012', quantity: 1 },
    });
    await waitFor('the later order to be decided', async () => {
      const order = await server.models.Order.findOne({ orderNumber: later.data!.createOrder.orderNumber }).lean();
      return order?.status !== 'PENDING';
    });
    const after = await server.models.Order.findOne({ orderNumber }).lean();
    expect(after).toEqual(before);
    // One event more, the later order's: none for the duplicate (offsets cannot count them, commit markers take some).
    const events = (await readTopic(server.kafka, statusTopic)).map(
      (value) => JSON.parse(value) as { orderId: string },
    );
    expect(events.length).toBe(eventsBefore + 1);
    expect(events.filter((event) => event.orderId === before!._id)).toHaveLength(1);
    const laterOrder = await server.models.Order.findOne({ orderNumber: later.data!.createOrder.orderNumber }).lean();
    const stockAfter = (await server.models.Product.findById('SKU-0012').lean())!.stock;
    expect(stockAfter).toBe(stockBefore - (laterOrder!.status === 'PROCESSED' ? 1 : 0));
  });
});
