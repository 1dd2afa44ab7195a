/**
 * The baseline for the query benchmark: what a plain Express + mongoose service
 * does for `GET /api/orders?status=` when it lists from the same order index
 * in Redis as the GraphQL server: the newest `?first=` (20 by default) ids of
 * the statuses asked for (`OrderIndex.page`), then each order through the same
 * bounded cache the server uses (`OrderCache`: by `findById` in MongoDB unless
 * the version the index lists is held), as JSON. Same database, same index
 * (REDIS_URL, KAFKA_TOPIC_PREFIX), same cache, same page size as the GraphQL
 * query it is compared with, so the ratio measures the API layer alone.
 * Written for the benchmark only.
 */
import express from 'express';
import mongoose from 'mongoose';
import {
  ORDER_STATUSES,
  OrderCache,
  OrderIndex,
  createModels,
  createRedis,
  redisConfigFrom,
  type OrderStatus,
} from '@orders/core';

/** The page size when `?first=` is not given: the GraphQL API's default too. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

const port = Number(process.env.PORT ?? 4010);
const connection = await mongoose
  .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/orders')
  .asPromise();
const { Order } = createModels(connection);
const redis = createRedis(redisConfigFrom(process.env));
const index = new OrderIndex(redis, { prefix: process.env.KAFKA_TOPIC_PREFIX ?? '' });
const cache = new OrderCache((id) => Order.findById(id).lean());

const isStatus = (value: string): value is OrderStatus => (ORDER_STATUSES as readonly string[]).includes(value);

const app = express();
app.get('/api/orders', async (req, res) => {
  const asked = typeof req.query.status === 'string' ? req.query.status.split(',').filter(Boolean) : [];
  const statuses = asked.filter(isStatus);
  if (statuses.length !== asked.length) return void res.status(400).json({ error: 'unknown status' });
  const first = req.query.first === undefined ? DEFAULT_PAGE : Number(req.query.first);
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    return void res.status(400).json({ error: `first: 0 to ${MAX_PAGE}` });
  }
  const entries = await index.page({ statuses, limit: first, oldestFirst: false });
  const orders = await cache.load(entries);
  res.json(orders.filter((order) => order !== null));
});
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
app.listen(port, '127.0.0.1');
