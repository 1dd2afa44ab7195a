/**
 * Query throughput: `orders(status: PROCESSED, first: 20)` and `orderStats` on
 * the GraphQL server against a baseline REST endpoint on the same data
 * (bench/queries/baseline-rest.ts: Express + mongoose listing from the same order
 * index in Redis, then each order by `findById`), run one after the other in
 * the same run, then GraphQL at half its peak rate for the latency it gives
 * when not saturated.
 */
import type autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { OrderIndex, createModels, createRedis, rebuildIndex, redisConfigFrom } from '@orders/core';
import { graphqlLoad, load, ratio } from '../lib/load.ts';
import { freePort, launch, waitReady } from '../../test/support/index.ts';

/** The page both sides are asked for. */
const PAGE = 20;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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

/** Indexes what was seeded, as `npm run reindex` does: lists come from the index, not from MongoDB. */
async function indexOrders(uri: string, redis: Redis, prefix: string): Promise<void> {
  const connection = await mongoose.createConnection(uri).asPromise();
  try {
    await rebuildIndex(createModels(connection), new OrderIndex(redis, { prefix }));
  } finally {
    await connection.close();
  }
}

export type QueriesResult = Awaited<ReturnType<typeof benchQueries>>;

export async function benchQueries(options: { orders: number; seconds: number; connections: number }) {
  const run = `bench_queries_${Date.now()}`;
  const uri = `mongodb://127.0.0.1:27017/${run}`;
  // The server and the baseline read the same index: one prefix for both.
  const env = { MONGODB_URI: uri, REDIS_URL, KAFKA_TOPIC_PREFIX: `${run}.` };
  const graphqlPort = freePort();
  const restPort = graphqlPort + 1;
  const redis = createRedis(redisConfigFrom(process.env));
  // Seeded straight into MongoDB, then indexed, before the server starts (it finds the index there).
  await seedOrders(uri, options.orders);
  await indexOrders(uri, redis, env.KAFKA_TOPIC_PREFIX);
  const server = launch('server/src/main.ts', { ...env, PORT: String(graphqlPort) }, graphqlPort);
  const rest = launch('bench/queries/baseline-rest.ts', { ...env, PORT: String(restPort) }, restPort);
  try {
    await Promise.all([waitReady(`${server.url}/ready`), waitReady(`${rest.url}/health`)]);

    const graphql = (query: string) =>
      graphqlLoad(`${server.url}/graphql`, query, options.connections, options.seconds);
    const ordersQuery = graphql(
      `{ orders(status: [PROCESSED], first: ${PAGE}) { edges { node { id orderNumber status total createdAt } } } }`,
    );
    const statsQuery = graphql('{ orderStats { total pending processed failed successRate } }');
    // The same page of the same list, with the same fields of each order and more.
    const restQuery: autocannon.Options = {
      url: `${rest.url}/api/orders?status=PROCESSED&first=${PAGE}`,
      connections: options.connections,
      duration: options.seconds,
    };

    // Warm both up, then measure them back to back.
    await load({ ...ordersQuery, duration: 2 });
    await load({ ...restQuery, duration: 2 });
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
    await new OrderIndex(redis, { prefix: env.KAFKA_TOPIC_PREFIX }).drop();
    redis.disconnect();
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
