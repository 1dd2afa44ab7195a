/**
 * The baseline for the query benchmark: what a plain Express + mongoose service
 * does for `GET /api/orders?status=` (find, sort, limit 100, JSON), on the same
 * database. Written for the benchmark only.
 */
import express from 'express';
import mongoose from 'mongoose';
import { createModels } from '@orders/core';

const port = Number(process.env.PORT ?? 4010);
const connection = await mongoose
  .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/orders')
  .asPromise();
const { Order } = createModels(connection);

const app = express();
app.get('/api/orders', async (req, res) => {
  const status = typeof req.query.status === 'string' ? req.query.status : undefined;
  const filter: Record<string, string> = status ? { status } : {};
  const orders = await Order.find(filter).sort({ createdAt: -1 }).limit(100).lean();
  res.json(orders);
});
app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
app.listen(port, '127.0.0.1');
