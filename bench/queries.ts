/**
 * Query throughput: `orders(status: PROCESSED, first: 20)` and `orderStats` on
 * the GraphQL server against a baseline REST endpoint on the same data, run one
 * after the other in the same run, then GraphQL at half its peak rate for the
 * latency it gives when not saturated.
 */
import type autocannon from 'autocannon';
import mongoose from 'mongoose';
import { createModels } from '@orders/core';
import { graphqlLoad, load, ratio } from './lib/load.ts';
import { freePort, launch, waitReady } from './lib/processes.ts';

async function seedOrders(uri: string, count: number): Promise<void> {
  const connection = await mongoose.createConnection(uri).asPromise();
  const { Order } = createModels(connection);
  const now = Date.now();
  const statuses = ['PROCESSED', 'PROCESSED', 'PROCESSED', 'FAILED', 'PENDING'] as const;
  const docs = Array.from({ length: count }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const at = new Date(now - (count - i) * 1000);
    return {
      _id: (0xd0000000 + i).toString(16).padStart(24, '0'),
      orderNumber: `ORD-BENCH-${i}`,
      customerId: `cus_${String((i % 40) + 1).padStart(4, '0')}`,
      sku: `SKU-${String((i % 24) + 1).padStart(4, '0')}`,
      quantity: 1 + (i % 5),
      total: 10 + (i % 90),
      status,
      version: status === 'PENDING' ? 1 : 2,
      attempts: status === 'PENDING' ? 0 : 1,
      error: status === 'FAILED' ? 'payment declined' : null,
      createdAt: at,
      processedAt: status === 'PROCESSED' ? at : null,
      failedAt: status === 'FAILED' ? at : null,
      updatedAt: at,
      history: [{ version: 1, previousStatus: null, status: 'PENDING', at, error: null }],
    };
  });
  for (let i = 0; i < docs.length; i += 1000) await Order.insertMany(docs.slice(i, i + 1000));
  await connection.close();
}

export async function benchQueries(options: { orders: number; seconds: number; connections: number }) {
  const uri = `mongodb://127.0.0.1:27017/bench_queries_${Date.now()}`;
  const graphqlPort = freePort();
  const restPort = graphqlPort + 1;
  // Seeded first: the server's read model loads what is stored when it starts.
  await seedOrders(uri, options.orders);
  const server = launch(
    'server/src/main.ts',
    { PORT: String(graphqlPort), MONGODB_URI: uri, KAFKA_TOPIC_PREFIX: 'bench.' },
    graphqlPort,
  );
  const rest = launch('bench/baseline-rest.ts', { PORT: String(restPort), MONGODB_URI: uri }, restPort);
  try {
    await Promise.all([waitReady(`${server.url}/ready`), waitReady(`${rest.url}/health`)]);

    const graphql = (query: string) =>
      graphqlLoad(`${server.url}/graphql`, query, options.connections, options.seconds);
    const ordersQuery = graphql(
      '{ orders(status: [PROCESSED], first: 20) { edges { node { id orderNumber status total createdAt } } } }',
    );
    const statsQuery = graphql('{ orderStats { total pending processed failed successRate } }');
    // A REST request takes seconds (FerretDB reads every order for a filter on `status`): the baseline
    // runs for at least 30 s so that each connection completes several, and is warmed by one request
    // alone, so that no warm-up requests are still running in the database when it is measured.
    const restQuery: autocannon.Options = {
      url: `${rest.url}/api/orders?status=PROCESSED`,
      connections: options.connections,
      duration: Math.max(options.seconds, 30),
      timeout: 60,
    };

    // Warm both up, then measure them back to back.
    await load({ ...ordersQuery, duration: 2 });
    await load({ ...restQuery, connections: 1, amount: 1 });
    const graphqlOrders = await load(ordersQuery);
    const restOrders = await load(restQuery);
    const graphqlStats = await load(statsQuery);
    const halfPeak = await load({
      ...ordersQuery,
      overallRate: Math.max(1, Math.floor(graphqlOrders.requestsPerSec / 2)),
    });

    return {
      orders: options.orders,
      seconds: options.seconds,
      connections: options.connections,
      graphqlOrders,
      restOrders,
      graphqlStats,
      graphqlOrdersAtHalfPeak: halfPeak,
      graphqlToRestRatio: ratio(graphqlOrders.requestsPerSec, restOrders.requestsPerSec),
    };
  } finally {
    await Promise.all([server.stop(), rest.stop()]);
    const connection = await mongoose.createConnection(uri).asPromise();
    await connection.dropDatabase();
    await connection.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchQueries({
    orders: Number(process.env.BENCH_ORDERS ?? 5000),
    seconds: Number(process.env.BENCH_SECONDS ?? 10),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  });
  console.log(JSON.stringify(result, null, 2));
}
