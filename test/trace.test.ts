/**
 * One trace id end to end, on the real servers: a createOrder sent with a
 * W3C traceparent is answered with a traceparent of the same trace, and the
 * trace id is found in the processor's log lines about that order, in the
 * headers of its orders.status events and in its Redis status messages;
 * a retry of the order keeps it.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFor, createLogger, newOrderDocument, parseTraceparent, topicsFor } from '@orders/core';
import type { Processor } from '@orders/processor';
import { REDIS_URL, startTestProcessor, startTestServer, waitFor, type TestServer } from './support/index.ts';

/** A caller's traceparent with a trace id of its own: each test's orders share no trace with another's. */
const callerTrace = () => {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-b7ad6b7169203331-01` };
};

let server: TestServer;
let processor: Processor;
let subscriber: Redis;
const processorLines: Record<string, unknown>[] = [];
const redisMessages: { change: { orderId: string; status: string }; traceparent?: string }[] = [];

beforeAll(async () => {
  server = await startTestServer('trace');
  const logger = createLogger('processor', 'debug', {}, (line) => processorLines.push(JSON.parse(line)));
  processor = await startTestProcessor(server, {}, { logger });
  subscriber = new Redis(REDIS_URL);
  await subscriber.subscribe(channelsFor(server.config.namePrefix).status);
  subscriber.on('message', (_channel, message: string) => redisMessages.push(JSON.parse(message)));
});
afterAll(async () => {
  subscriber?.disconnect();
  await processor?.stop();
  await server?.close();
});

/** createOrder over HTTP with the given headers: the order's id and the answer's traceparent. */
async function createOrder(headers: Record<string, string>, sku = 'SKU-0001') {
  const response = await fetch(`${server.app.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await server.token('operator')}`,
      ...headers,
    },
    body: JSON.stringify({
      query: `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
      variables: { input: { customerId: 'cus_0001', sku, quantity: 1 } },
    }),
  });
  const body = (await response.json()) as { data?: { createOrder: { id: string } }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  const orderId = Buffer.from(body.data!.createOrder.id, 'base64').toString('utf8').split(':').at(-1)!;
  return { id: body.data!.createOrder.id, orderId, traceparent: response.headers.get('traceparent') };
}

/** The orders.status events of one order, with their headers as text, read from the beginning. */
async function statusEvents(kafka: Kafka, orderId: string) {
  const consumer = kafka.consumer({ groupId: `trace-reader-${Date.now()}-${Math.random()}` });
  const found: { status: string; traceparent: string | undefined }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: topicsFor(server.config.namePrefix).status.name, fromBeginning: true });
    const ended = new Promise<void>((resolve) => setTimeout(resolve, 3_000));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value!.toString()) as { orderId: string; status: string };
        if (event.orderId === orderId)
          found.push({ status: event.status, traceparent: message.headers?.traceparent?.toString() });
      },
    });
    await ended;
  } finally {
    await consumer.disconnect();
  }
  return found;
}

const decided = (orderId: string, status: string) =>
  waitFor(
    `order ${orderId} ${status}`,
    async () => (await server.models.Order.findById(orderId).lean())?.status === status,
  );

describe('one trace id end to end', () => {
  it('answers createOrder with the caller’s trace, and a new valid one for a caller without one', async () => {
    const caller = callerTrace();
    const traced = await createOrder({ traceparent: caller.traceparent });
    const answered = parseTraceparent(traced.traceparent);
    expect(answered?.traceId).toBe(caller.traceId);
    expect(answered?.spanId).not.toBe('b7ad6b7169203331');

    const without: Record<string, string>[] = [{}, { traceparent: '00-not-a-trace-01' }];
    for (const headers of without) {
      const fresh = await createOrder(headers);
      const context = parseTraceparent(fresh.traceparent);
      expect(context).not.toBeNull();
      expect(context!.traceId).not.toBe(caller.traceId);
      expect((await server.models.Order.findById(fresh.orderId).lean())?.traceId).toBe(context!.traceId);
    }
  });

  it('carries the trace id to the processor’s log lines, the status event’s headers and the Redis message', async () => {
    const { traceId, traceparent } = callerTrace();
    const { orderId } = await createOrder({ traceparent });
    await decided(orderId, 'PROCESSED');
    expect((await server.models.Order.findById(orderId).lean())?.traceId).toBe(traceId);

    await waitFor('the processor’s line about the decision', () =>
      processorLines.some((line) => line.orderId === orderId && line.msg === 'order decided'),
    );
    const about = processorLines.filter((line) => line.orderId === orderId);
    expect(about.length).toBeGreaterThan(0);
    expect(about.every((line) => line.traceId === traceId)).toBe(true);
    // Lines about other orders do not carry this trace.
    expect(processorLines.filter((line) => line.orderId !== orderId && line.traceId === traceId)).toEqual([]);

    const events = await statusEvents(server.kafka, orderId);
    expect(events.map((event) => event.status)).toEqual(['PROCESSED']);
    expect(parseTraceparent(events[0]!.traceparent)?.traceId).toBe(traceId);

    await waitFor('the Redis status message', () => redisMessages.some((m) => m.change.orderId === orderId));
    const message = redisMessages.find((m) => m.change.orderId === orderId)!;
    expect(parseTraceparent(message.traceparent)?.traceId).toBe(traceId);
  });

  it('keeps the trace id of an order the outbox relay publishes for a server that died before producing it', async () => {
    const { traceId } = callerTrace();
    const orderId = randomBytes(12).toString('hex');
    const at = new Date(Date.now() - 60_000);
    // As if its server died between the insert and the produce: marked unpublished, stored, never produced.
    await server.app.services.index.markUnpublished(orderId, at.getTime());
    await server.models.Order.create({
      ...newOrderDocument({
        _id: orderId,
        orderNumber: `ORD-TRACE-${orderId.slice(-6)}`,
        customerId: 'cus_0001',
        sku: 'SKU-0003',
        quantity: 1,
        total: 10,
        idempotencyKey: null,
        createdAt: at,
      }),
      traceId,
    });
    expect(await server.app.relay.runOnce()).toBe(1);
    await decided(orderId, 'PROCESSED');

    const events = await statusEvents(server.kafka, orderId);
    expect(parseTraceparent(events[0]?.traceparent)?.traceId).toBe(traceId);
    await waitFor('the processor’s line about the decision', () =>
      processorLines.some((line) => line.orderId === orderId && line.msg === 'order decided'),
    );
    const about = processorLines.filter((line) => line.orderId === orderId);
    expect(about.every((line) => line.traceId === traceId)).toBe(true);
  });

  it('keeps the order’s trace id through a retry, decided by the processor again', async () => {
    await server.models.Product.updateOne({ _id: 'SKU-0002' }, { $set: { stock: 0 } });
    const { traceId, traceparent } = callerTrace();
    const { id, orderId } = await createOrder({ traceparent }, 'SKU-0002');
    await decided(orderId, 'FAILED');
    await server.models.Product.updateOne({ _id: 'SKU-0002' }, { $set: { stock: 10 } });
    // Retried by another request with no traceparent of its own: the order's trace goes on.
    const retried = await server.graphql(`mutation($id: ID!) { retryOrder(id: $id) { status } }`, { id });
    expect(retried.errors).toBeUndefined();
    // Decided again, whatever the decision (the processor follows its own stock, not the write above).
    await waitFor('the retried order decided again', async () => {
      const order = await server.models.Order.findById(orderId).lean();
      return order?.version === 4;
    });

    const events = await statusEvents(server.kafka, orderId);
    expect(events.map((event) => event.status).slice(0, 2)).toEqual(['FAILED', 'PENDING']);
    expect(events).toHaveLength(3);
    expect(events.every((event) => parseTraceparent(event.traceparent)?.traceId === traceId)).toBe(true);
    const decisions = processorLines.filter((line) => line.orderId === orderId && line.msg === 'order decided');
    expect(decisions.map((line) => line.status)).toEqual(['FAILED', events[2]!.status]);
    expect(decisions.every((line) => line.traceId === traceId)).toBe(true);
  });
});
