/** Replay: the orders rebuilt from the Kafka event log alone equal the ones in MongoDB, field by field. */
import { describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { createModels } from '@orders/core';
import { graphqlRequest } from '../support/index.ts';
import { rebuildOrders } from '../../tools/replay.ts';
import { createOrders, paymentsFor, startCluster, waitForFinal, type Cluster } from './cluster.ts';

// Closed after each test by ./cluster.ts.
let cluster: Cluster | undefined;

describe('npm run replay', () => {
  it('rebuilds every order, retried ones included, exactly as MongoDB holds it', async () => {
    cluster = await startCluster('fault_replay');
    const server = await cluster.startServer();
    // Half the customers' payments declined, so that there are FAILED orders to retry.
    const declining = Array.from({ length: 20 }, (_, i) => `cus_${String(2 * i + 1).padStart(4, '0')}`);
    const payments = await paymentsFor(cluster, { PAYMENTS_DECLINING_CUSTOMERS: declining.join(',') });
    cluster.startProcessor({ PAYMENTS_URL: payments.url });
    await createOrders(() => [server.url], 80, 100);
    await waitForFinal(cluster.models, 80);

    const failed = await cluster.models.Order.find({ status: 'FAILED' }, { _id: 1 }).limit(10).lean();
    expect(failed.length).toBeGreaterThan(0);
    for (const { _id } of failed) {
      const id = Buffer.from(`Order:${_id}`).toString('base64');
      await graphqlRequest(`${server.url}/graphql`, 'mutation($id: ID!) { retryOrder(id: $id) { id } }', { id });
    }
    await waitForFinal(cluster.models, 80);

    const originals = (await cluster.models.Order.find().lean()).map(({ idempotencyKey: _key, ...order }) => order);
    const rebuilt = (await rebuildOrders(cluster.kafka, cluster.prefix)).map(
      ({ idempotencyKey: _key, ...order }) => order,
    );
    const byId = <T extends { _id: string }>(orders: T[]) => [...orders].sort((a, b) => a._id.localeCompare(b._id));
    expect(rebuilt).toHaveLength(80);
    expect(byId(rebuilt)).toEqual(byId(originals));
    expect(rebuilt.some((order) => order.version > 2)).toBe(true);

    // And through the command's path: into an empty database, read back the same.
    const uri = `mongodb://127.0.0.1:27017/${cluster.prefix.slice(0, -1)}_rebuilt`;
    const connection = await mongoose.createConnection(uri).asPromise();
    try {
      const { Order } = createModels(connection);
      await Order.insertMany(rebuilt);
      const stored = (await Order.find().lean()).map(({ idempotencyKey: _key, ...order }) => order);
      expect(byId(stored)).toEqual(byId(originals));
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
