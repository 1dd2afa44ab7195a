/**
 * The metrics of a real server and processor (in this process, on the real
 * Kafka, MongoDB-wire and Redis), scraped over HTTP and parsed as Prometheus
 * would: each order metric moves as the orders made say it should, and the
 * consumer lag rises while no processor runs and falls back to zero after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, signingKey, topicsFor } from '@orders/core';
import type { Processor, ProcessorHttp } from '@orders/processor';
import { ProcessorMetrics, startProcessorHttp } from '@orders/processor';
import {
  collect,
  startTestProcessor,
  startTestServer,
  subscribeOverSse,
  waitFor,
  type TestServer,
} from '../support/index.ts';
import { scrape, type Scrape } from './scrape.ts';

const CREATE = `mutation MetricsTest_CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id } }`;
/** A product with stock for 2: of the 4 orders for it, 2 fail out of stock. */
const SCARCE = 'SKU-0021';

let server: TestServer;
let processor: Processor;
let http: ProcessorHttp;
const metrics = new ProcessorMetrics();

/** Every payment goes through: the failures are the scarce product's, and their number is known. */
const startProcessor = (): Promise<Processor> => startTestProcessor(server, {}, { metrics });

const serverMetrics = (): Promise<Scrape> => scrape(`${server.app.url}/metrics`);
const processorMetrics = (): Promise<Scrape> => scrape(`${http.url}/metrics`);
const lagOf = async (): Promise<number> =>
  (await serverMetrics()).samples('orders_created_consumer_lag').reduce((sum, sample) => sum + sample.value, 0);

async function createOrders(inputs: readonly Record<string, unknown>[]): Promise<void> {
  for (const input of inputs) {
    const result = await server.graphql(CREATE, { input });
    expect(result.errors).toBeUndefined();
  }
}

beforeAll(async () => {
  server = await startTestServer('metrics');
  await server.models.Product.updateOne({ _id: SCARCE }, { $set: { stock: 2 } });
  processor = await startProcessor();
  http = await startProcessorHttp({
    port: 0,
    host: '127.0.0.1',
    readiness: () => processor.readiness(),
    registry: metrics.registry,
    key: signingKey({ production: false }),
    logger: createLogger('processor-http-test', 'warn'),
  });
});
afterAll(async () => {
  await http?.close();
  await processor?.stop();
  await server?.close();
});

describe('the metrics of the server and the processor', () => {
  it('count 12 orders made: created, decided by status and reason, timed, delivered to a subscriber', async () => {
    const client = server.wsClient();
    const feed = collect(client, `subscription MetricsTest_Feed { orderStatusChanged { status } }`);
    await waitFor('the subscription to be counted', async () => {
      const open = (await serverMetrics()).value('graphql_subscriptions', {
        field: 'orderStatusChanged',
        transport: 'graphql-ws',
      });
      return open === 1;
    });

    const scarce = Array.from({ length: 4 }, (_, i) => ({ customerId: `cus_00${10 + i}`, sku: SCARCE, quantity: 1 }));
    const plenty = Array.from({ length: 8 }, (_, i) => ({
      customerId: `cus_00${20 + i}`,
      sku: `SKU-000${1 + i}`,
      quantity: 1,
    }));
    await createOrders([...scarce, ...plenty]);
    // One refused: an unknown product, counted as a GraphQL error of its operation.
    const refused = await server.graphql(CREATE, { input: { customerId: 'cus_0010', sku: 'SKU-NONE', quantity: 1 } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const decided = await waitFor('12 decisions in the processor metrics', async () => {
      const scraped = await processorMetrics();
      return scraped.value('order_decisions_total') === 12 ? scraped : undefined;
    });
    expect(decided.value('order_decisions_total', { status: 'PROCESSED', reason: 'none' })).toBe(10);
    expect(decided.value('order_decisions_total', { status: 'FAILED', reason: 'out_of_stock' })).toBe(2);
    expect(decided.value('order_decisions_total', { status: 'FAILED', reason: 'payment_declined' })).toBe(0);
    expect(decided.count('order_decision_seconds')).toBe(12);
    expect(decided.count('order_decision_seconds', { status: 'FAILED' })).toBe(2);
    expect(decided.value('order_dead_letters_total') ?? 0).toBe(0);
    expect(decided.value('order_retries_total')).toBe(0);
    expect(decided.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(decided.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(decided.families.some((family) => family.name === 'nodejs_gc_duration_seconds')).toBe(true);

    const scraped = await serverMetrics();
    expect(scraped.value('orders_created_total')).toBe(12);
    expect(scraped.count('create_order_duration_seconds', { outcome: 'created' })).toBe(12);
    expect(scraped.count('create_order_duration_seconds', { outcome: 'refused' })).toBe(1);
    const operation = { operationName: 'MetricsTest_CreateOrder', operationType: 'mutation' };
    expect(scraped.count('graphql_envelop_phase_execute', operation)).toBe(13);
    expect(scraped.count('graphql_envelop_request_duration', operation)).toBe(13);
    expect(scraped.value('graphql_envelop_request', operation)).toBe(13);
    expect(scraped.value('graphql_envelop_error_result', operation)).toBe(1);
    expect(scraped.value('websocket_connections')).toBe(1);
    expect(scraped.value('process_resident_memory_bytes')).toBeGreaterThan(0);

    await waitFor('the subscriber to receive the 12 decisions', () => feed.received.length >= 12);
    const delivered = await serverMetrics();
    expect(delivered.value('subscription_events_delivered_total', { transport: 'graphql-ws' })).toBe(
      feed.received.length,
    );
    feed.unsubscribe();
    await waitFor('the closed subscription to leave the gauge', async () => {
      const open = (await serverMetrics()).value('graphql_subscriptions', { field: 'orderStatusChanged' });
      return open === 0;
    });
    await waitFor(
      'the outbox backlog to be empty',
      async () => (await serverMetrics()).value('orders_outbox_backlog') === 0,
    );
    await waitFor('the lag to be zero once every order is decided', async () => (await lagOf()) === 0, 30_000, 500);
  });

  it('show the lag rising while no processor runs and falling back to zero once one does', async () => {
    const before = (await processorMetrics()).value('order_decisions_total')!;
    await processor.stop();
    expect((await scrape(`${http.url}/metrics`)).value('order_decisions_total')).toBe(before);
    const ready = await fetch(`${http.url}/ready`);
    expect(ready.status).toBe(503);

    await createOrders(
      Array.from({ length: 5 }, (_, i) => ({ customerId: `cus_00${30 + i}`, sku: `SKU-001${i}`, quantity: 1 })),
    );
    await waitFor('the lag to show the 5 orders waiting', async () => (await lagOf()) === 5, 30_000, 500);
    const perPartition = (await serverMetrics()).samples('orders_created_consumer_lag');
    expect(perPartition.length).toBeGreaterThan(1);
    expect(perPartition.every((sample) => /^\d+$/.test(sample.labels.partition ?? ''))).toBe(true);

    processor = await startProcessor();
    await waitFor('the lag to fall back to zero', async () => (await lagOf()) === 0, 60_000, 500);
    const after = await processorMetrics();
    expect(after.value('order_decisions_total')).toBe(before + 5);
    expect((await fetch(`${http.url}/ready`)).status).toBe(200);
  });

  it('count a dead letter by its reason, an SSE subscription while it is open, and a Redis reconnect', async () => {
    const producer = server.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicsFor(server.config.namePrefix).created.name,
      messages: [{ key: 'poison', value: 'not an event' }],
    });
    await producer.disconnect();
    await waitFor(
      'the unreadable message to be counted as a dead letter',
      async () => (await processorMetrics()).value('order_dead_letters_total', { reason: 'unreadable' }) === 1,
      30_000,
      250,
    );

    const stream = await subscribeOverSse(
      `${server.app.url}/graphql`,
      'subscription MetricsTest_Sse { orderStatusChanged { status } }',
      await server.token('operator'),
    );
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    const sse = { field: 'orderStatusChanged', transport: 'sse' };
    await waitFor(
      'the SSE subscription to be counted',
      async () => (await serverMetrics()).value('graphql_subscriptions', sse) === 1,
    );
    stream.stop();
    await waitFor(
      'the SSE subscription to leave the gauge',
      async () => (await serverMetrics()).value('graphql_subscriptions', sse) === 0,
    );

    const publisher = { connection: 'publisher' };
    expect((await serverMetrics()).value('redis_reconnects_total', publisher)).toBe(0);
    server.app.services.events.redis.disconnect(true);
    await waitFor(
      'the Redis reconnect to be counted',
      async () => (await serverMetrics()).value('redis_reconnects_total', publisher) === 1,
    );
  });
});
