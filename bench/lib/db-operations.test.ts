import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingProxy, perOrder, type CountingProxy } from './db-operations.ts';

const uri = `mongodb://127.0.0.1:27017/db_operations_${Date.now()}`;
let proxy: CountingProxy;
let connection: mongoose.Connection;

beforeAll(async () => {
  proxy = await countingProxy(uri);
  connection = await mongoose.createConnection(proxy.uri).asPromise();
});

afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
  await proxy.close();
});

describe('countingProxy', () => {
  it('counts each document inserted, each update statement and each query, by command and collection', async () => {
    const orders = connection.collection<{ _id: string; n: number }>('orders');
    proxy.reset();
    await orders.insertMany([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
      { _id: 'c', n: 3 },
    ]);
    await orders.bulkWrite([
      { updateOne: { filter: { _id: 'a' }, update: { $set: { n: 10 } } } },
      { updateOne: { filter: { _id: 'b' }, update: { $set: { n: 20 } } } },
    ]);
    expect(await orders.findOne({ _id: 'c' })).toMatchObject({ n: 3 });
    await connection.collection('products').updateOne({ _id: 'x' as never }, { $set: { stock: 1 } });

    expect(proxy.counts()).toEqual({
      'insert orders': { commands: 1, operations: 3 },
      'update orders': { commands: 1, operations: 2 },
      'find orders': { commands: 1, operations: 1 },
      'update products': { commands: 1, operations: 1 },
    });
    expect(perOrder(proxy.counts(), 3)).toMatchObject({ operations: 2.333, commands: 1.333 });
  });
});
