/**
 * Crashes and restarts under load, against the real servers, with the books
 * checked after each: every order stored and final, one decision event each,
 * stock exact and never below zero.
 */
import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { topicsFor } from '@orders/core';
import { freePort, graphqlRequest, sleep, type Running } from '../support/index.ts';
import {
  changeKeys,
  changesOn,
  checkBooks,
  createOrders,
  expectBooksHold,
  paymentsFor,
  startCluster,
  startWithServer,
  stockNow,
  waitForDecided,
  waitForFinal,
  type Cluster,
} from './cluster.ts';

// Each cluster is closed after its test by ./cluster.ts.

async function countDecided(cluster: Cluster): Promise<number> {
  const orders = await cluster.models.Order.find({}, { status: 1 }).lean();
  return orders.filter((order) => order.status !== 'PENDING').length;
}

/** Kills a process as a power cut would: no handler runs, nothing is flushed or committed. */
async function killHard(running: Running) {
  const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
  running.child.kill('SIGKILL');
  await exited;
}

describe('a processor killed with SIGKILL in the middle of the load', () => {
  it('loses nothing and decides nothing twice once a new one takes over', async () => {
    const { cluster, server, initial } = await startWithServer('fault_kill_processor');
    const first = cluster.startProcessor();

    const creating = createOrders(() => [server.url], 600, 200);
    await waitForDecided(cluster.models, 20);
    await killHard(first);
    await sleep(1000);
    cluster.startProcessor();
    const ids = await creating;

    const books = await expectBooksHold(cluster, ids, initial, { orders: 600 });
    expect(books.processed + books.failed).toBe(600);
  });
});

describe('a processor killed between its database writes and its Redis round trip', () => {
  it('leaves its messages to the next processor, which lists and announces their decisions, once each', async () => {
    const { cluster, server, initial } = await startWithServer('fault_kill_before_redis');
    // Payments that take a while (80 ms), so that it has work in hand when Redis stops.
    const payments = await paymentsFor(cluster, { PAYMENTS_LATENCY_P50_MS: '80', PAYMENTS_LATENCY_P99_MS: '120' });
    const first = cluster.startProcessor({ PAYMENTS_URL: payments.url });
    const stayed = changesOn(cluster, server);

    const creating = createOrders(() => [server.url], 300, 100);
    await waitForDecided(cluster.models, 20);
    // Redis takes no write for a while: the processor decides and writes MongoDB, then waits on Redis.
    await cluster.redis.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    const { decidedInMongo, decidedInIndex } = await (async () => {
      try {
        await sleep(1500);
        const counts = {
          decidedInMongo: await countDecided(cluster),
          decidedInIndex: await cluster.index.count({ statuses: ['PROCESSED', 'FAILED'] }),
        };
        await killHard(first);
        return counts;
      } finally {
        await cluster.redis.call('CLIENT', 'UNPAUSE');
      }
    })();
    // Killed where intended: decisions stored in MongoDB that the index had not taken.
    expect(decidedInMongo).toBeGreaterThan(decidedInIndex);
    cluster.startProcessor({ PAYMENTS_URL: payments.url });
    const ids = await creating;

    await expectBooksHold(cluster, ids, initial, { orders: 300 });
    // The connected subscriber heard of every decision, once.
    const deadline = Date.now() + 30_000;
    while (new Set(stayed.received.map((change) => change.orderId)).size < 300 && Date.now() < deadline) {
      await sleep(200);
    }
    const keys = changeKeys(stayed.received);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(stayed.received.map((change) => change.orderId)).size).toBe(300);
  });
});

describe('a server that dies between storing an order and producing it', () => {
  it('leaves the order to the outbox relay, which publishes it once the server is back, and it is decided', async () => {
    const cluster = await startCluster('fault_server_crash');
    const crashing = await cluster.startServer({ CRASH_AFTER_STORING: '5' }, 'test/faults/crashing-server.ts');
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();

    const answers: ('ok' | 'lost')[] = [];
    for (let i = 0; i < 5; i++) {
      const input = { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 1, idempotencyKey: `crash-${i}` };
      answers.push(
        await graphqlRequest(
          `${crashing.url}/graphql`,
          'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
          { input },
        ).then(
          () => 'ok' as const,
          () => 'lost' as const,
        ),
      );
    }
    // The fifth request never got its answer: the server died after storing it.
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', 'lost']);
    const stranded = await cluster.models.Order.findOne({ idempotencyKey: 'crash-4' }).lean();
    expect(stranded?.status).toBe('PENDING');
    // Marked in the index before it was stored, and never cleared: what the relay looks for.
    expect(await cluster.index.isUnpublished(stranded!._id)).toBe(true);

    // Back without the fault: nothing asks for the order again; the relay finds it.
    await cluster.startServer();
    await waitForFinal(cluster.models, 5, 30_000);
    expect(await cluster.index.isUnpublished(stranded!._id)).toBe(false);
    const ids = (await cluster.models.Order.find({}, { _id: 1 }).lean()).map((order) => order._id);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);
    expect(books.orders).toBe(5);
  });
});

describe('a processor whose Kafka commits end in doubt', () => {
  it('asks the group whether each one committed, and announces every decision once', async () => {
    const { cluster, server, initial } = await startWithServer('fault_doubtful_commit');
    const port = freePort();
    cluster.startProcessor(
      { DOUBTFUL_COMMIT_EVERY: '2', PROCESSOR_PORT: String(port) },
      'test/faults/doubtful-commit-processor.ts',
    );
    const ids = await createOrders(() => [server.url], 300, 100);
    await expectBooksHold(cluster, ids, initial, { orders: 300 });

    // Both kinds of doubt came up, and each was settled the way the broker had it.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const settled = (outcome: string) =>
      Number(new RegExp(`^order_transactions_in_doubt_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(settled('committed')).toBeGreaterThan(0);
    expect(settled('aborted')).toBeGreaterThan(0);
  });
});

describe('a poison message on orders.created', () => {
  it('lands in orders.dlq with its reason, and the orders after it are decided', async () => {
    const { cluster, server, initial } = await startWithServer('fault_poison');
    cluster.startProcessor();
    const topics = topicsFor(cluster.prefix);
    const producer = (cluster.kafka as Kafka).producer();
    await producer.connect();
    await producer.send({
      topic: topics.created.name,
      messages: [
        { key: 'SKU-0001', value: 'this is not JSON' },
        { key: 'SKU-0002', value: JSON.stringify({ v: 7, type: 'OrderCreated', orderId: 'x' }) },
      ],
    });
    await producer.disconnect();

    const ids = await createOrders(() => [server.url], 40, 100);
    await waitForFinal(cluster.models, 40);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);

    const reasons: string[] = [];
    const consumer = cluster.kafka.consumer({ groupId: `${cluster.prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.deadLetters.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void reasons.push((JSON.parse(message.value!.toString()) as { reason: string }).reason),
    });
    const deadline = Date.now() + 20_000;
    while (reasons.length < 2 && Date.now() < deadline) await sleep(100);
    await consumer.disconnect();
    expect(reasons.sort()).toEqual([
      expect.stringMatching(/not an OrderCreated v1 event/),
      expect.stringMatching(/not JSON/),
    ]);
  });
});
