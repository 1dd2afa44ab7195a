/** The GraphQL API on the real servers: creating, validating, paging, batching, and the schema contract. */
import { readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildIndex, topicsFor } from '@orders/core';
import { printedSchema, schemaFile } from '../scripts/print-schema.ts';
import { startTestServer, type TestServer } from '../../test/support/index.ts';
import { PAGE_INFO, type PageInfo } from './page-info.ts';

let server: TestServer;
let createdTopic: string;

beforeAll(async () => {
  server = await startTestServer('api');
  createdTopic = topicsFor(server.config.namePrefix).created.name;
});
afterAll(() => server?.close());

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateOrderInput!) {
    createOrder(input: $input) {
      id
      orderNumber
      status
      version
      quantity
      total
      customer {
        id
        name
      }
      product {
        sku
        price
      }
      history {
        status
        previousStatus
        at
      }
    }
  }
`;

interface Created {
  createOrder: {
    id: string;
    orderNumber: string;
    status: string;
    version: number;
    total: number;
    product: { price: number };
  };
}

describe('the schema', () => {
  it('matches the committed schema.graphql', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printedSchema());
  });
});

describe('createOrder', () => {
  it('stores a PENDING order and produces one OrderCreated event', async () => {
    const before = await server.messageCount(createdTopic);
    const result = await server.graphql<Created>(CREATE, {
      input: { customerId: 'cus_0002', sku: 'SKU-0003', quantity: 3 },
    });
    expect(result.errors).toBeUndefined();
    const order = result.data!.createOrder;
    expect(order).toMatchObject({ status: 'PENDING', version: 1, quantity: 3 });
    expect(order.orderNumber).toMatch(/^ORD-\d{6}-[2-9A-HJ-NP-Z]{6}$/);
    expect(order.total).toBeCloseTo(order.product.price * 3, 2);
    expect(await server.messageCount(createdTopic)).toBe(before + 1);
  });

  it('returns the same order for the same idempotency key and sends nothing twice', async () => {
    const input = { customerId: 'cus_0003', sku: 'SKU-0004', quantity: 1, idempotencyKey: 'checkout-42' };
    const before = await server.messageCount(createdTopic);
    const first = await server.graphql<Created>(CREATE, { input });
    const second = await server.graphql<Created>(CREATE, { input });
    expect(second.data!.createOrder.id).toBe(first.data!.createOrder.id);
    expect(second.data!.createOrder.orderNumber).toBe(first.data!.createOrder.orderNumber);
    expect(await server.messageCount(createdTopic)).toBe(before + 1);
    expect(await server.models.Order.countDocuments({ idempotencyKey: 'checkout-42' })).toBe(1);
  });

  it('stores one order when requests with the same key arrive together, and answers each with it', async () => {
    const input = { customerId: 'cus_0004', sku: 'SKU-0005', quantity: 1, idempotencyKey: 'double-click' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.graphql<Created>(CREATE, { input })));
    const ids = new Set(answers.map((answer) => answer.data?.createOrder.id));
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(ids.size).toBe(1);
    expect(await server.models.Order.countDocuments({ idempotencyKey: 'double-click' })).toBe(1);
  });

  it('refuses an idempotency key reused for a different order', async () => {
    const input = { customerId: 'cus_0003', sku: 'SKU-0004', quantity: 1, idempotencyKey: 'checkout-43' };
    await server.graphql(CREATE, { input });
    const reused = await server.graphql(CREATE, { input: { ...input, quantity: 2 } });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });

  it.each([
    [
      { customerId: 'cus_9999', sku: 'SKU-0001', quantity: 1 },
      'NOT_FOUND',
      'customerId',
      /no customer with id "cus_9999"/,
    ],
    [{ customerId: 'cus_0001', sku: 'NOPE', quantity: 1 }, 'NOT_FOUND', 'sku', /no product with sku "NOPE"/],
    [
      { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 0 },
      'BAD_USER_INPUT',
      'quantity',
      /quantity must be at least 1/,
    ],
    [
      { customerId: 'cus_0001', sku: 'SKU-0001', quantity: 1001 },
      'BAD_USER_INPUT',
      'quantity',
      /quantity must be at most 1000/,
    ],
    [{ customerId: '', sku: 'SKU-0001', quantity: 1 }, 'BAD_USER_INPUT', 'customerId', /customerId must not be empty/],
    [{ customerId: { $ne: null }, sku: 'SKU-0001', quantity: 1 }, undefined, undefined, /ID cannot represent value/],
  ])('refuses %j with a clear error on its field and writes nothing', async (input, code, field, message) => {
    const [orders, messages] = await Promise.all([
      server.models.Order.countDocuments(),
      server.messageCount(createdTopic),
    ]);
    const result = await server.graphql(CREATE, { input });
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(message);
    if (code) expect(result.errors?.[0]?.extensions).toMatchObject({ code, field });
    expect(await server.models.Order.countDocuments()).toBe(orders);
    expect(await server.messageCount(createdTopic)).toBe(messages);
  });

  it('refuses a malformed order id with BAD_USER_INPUT', async () => {
    const result = await server.graphql(`{ order(id: "not-an-id") { id } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/must be the id of an Order/);
  });

  it('finds an order by id, through node() as well', async () => {
    const created = await server.graphql<Created>(CREATE, {
      input: { customerId: 'cus_0005', sku: 'SKU-0005', quantity: 1 },
    });
    const id = created.data!.createOrder.id;
    const result = await server.graphql<{ order: { id: string }; node: { id: string; orderNumber: string } }>(
      `query($id: ID!) { order(id: $id) { id } node(id: $id) { id ... on Order { orderNumber } } }`,
      { id },
    );
    expect(result.data?.order.id).toBe(id);
    expect(result.data?.node.orderNumber).toBe(created.data!.createOrder.orderNumber);
  });
});

describe('retryOrder', () => {
  it('refuses to retry an order that has not failed', async () => {
    const created = await server.graphql<Created>(CREATE, {
      input: { customerId: 'cus_0006', sku: 'SKU-0006', quantity: 1 },
    });
    const result = await server.graphql(`mutation($id: ID!) { retryOrder(id: $id) { id } }`, {
      id: created.data!.createOrder.id,
    });
    expect(result.errors?.[0]?.message).toMatch(/only a FAILED order can be retried; ORD-.* is PENDING/);
  });

  it('puts a FAILED order back to PENDING once, and a second retry of the same version conflicts', async () => {
    const created = await server.graphql<Created>(CREATE, {
      input: { customerId: 'cus_0007', sku: 'SKU-0007', quantity: 1 },
    });
    const id = created.data!.createOrder.id;
    const rawId = Buffer.from(id, 'base64').toString().split(':')[1]!;
    // Decide the order FAILED as the processor would, straight in the database.
    await server.models.Order.updateOne(
      { _id: rawId },
      { $set: { status: 'FAILED', version: 2, error: 'payment declined', failedAt: new Date() } },
    );
    const retried = await server.graphql<{ retryOrder: { status: string; version: number; error: string | null } }>(
      `mutation($id: ID!) { retryOrder(id: $id) { status version error } }`,
      { id },
    );
    expect(retried.data?.retryOrder).toEqual({ status: 'PENDING', version: 3, error: null });
    await server.models.Order.updateOne({ _id: rawId }, { $set: { status: 'FAILED', version: 2 } });
    const again = await server.graphql(`mutation($id: ID!) { retryOrder(id: $id) { id } }`, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('orders', () => {
  const PAGE = /* GraphQL */ `
    query Page($status: [OrderStatus!], $first: Int, $after: String, $last: Int, $before: String) {
      orders(status: $status, first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges {
          cursor
          node {
            orderNumber
            status
            createdAt
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
    ${PAGE_INFO}
  `;
  interface Page {
    orders: {
      totalCount: number;
      edges: { cursor: string; node: { orderNumber: string; status: string; createdAt: string } }[];
      pageInfo: PageInfo;
    };
  }

  it('pages forwards and backwards through one status, newest first, without gaps or repeats', async () => {
    const base = Date.parse('2026-01-01T00:00:00Z');
    const docs = Array.from({ length: 25 }, (_, i) => ({
      _id: (0xa0000000 + i).toString(16).padStart(24, '0'),
      orderNumber: `ORD-PAGE-${String(i).padStart(2, '0')}`,
      customerId: 'cus_0001',
      sku: 'SKU-0001',
      quantity: 1,
      total: 1,
      status: i % 5 === 0 ? 'FAILED' : 'PROCESSED',
      version: 2,
      attempts: 1,
      // Pairs share a millisecond, so the cursor must break ties by id.
      createdAt: new Date(base + Math.floor(i / 2)),
      updatedAt: new Date(base + i),
    }));
    await server.models.Order.insertMany(docs);
    // Written behind the server's back: the order index learns of them when it is rebuilt.
    await rebuildIndex(server.models, server.app.services.index);
    const processed = docs
      .filter((doc) => doc.status === 'PROCESSED')
      .map((doc) => doc.orderNumber)
      .reverse();

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: { data?: Page | null } = await server.graphql<Page>(PAGE, {
        status: ['PROCESSED'],
        first: 6,
        after,
      });
      expect(result).not.toHaveProperty('errors');
      const page: Page['orders'] = result.data!.orders;
      expect(page.totalCount).toBe(processed.length);
      seen.push(...page.edges.map((edge) => edge.node.orderNumber));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after && pages < 10);
    expect(seen).toEqual(processed);

    const backwards: string[] = [];
    let before: string | null = null;
    pages = 0;
    do {
      const result: { data?: Page | null } = await server.graphql<Page>(PAGE, {
        status: ['PROCESSED'],
        last: 7,
        before,
      });
      const page: Page['orders'] = result.data!.orders;
      backwards.unshift(...page.edges.map((edge) => edge.node.orderNumber));
      before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
      pages += 1;
    } while (before && pages < 10);
    expect(backwards).toEqual(processed);
  });

  it('refuses a page size over the limit and a cursor it never gave out', async () => {
    const tooBig = await server.graphql(PAGE, { first: 1000 });
    expect(tooBig.errors?.[0]?.message).toMatch(/"first" must be between 0 and 100/);
    const forged = await server.graphql(PAGE, { after: 'eyJ4IjoxfQ' });
    expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('loads the customers and products of a page of 50 orders with one batched query per type', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({
      _id: (0xb0000000 + i).toString(16).padStart(24, '0'),
      orderNumber: `ORD-BATCH-${i}`,
      customerId: `cus_${String((i % 20) + 1).padStart(4, '0')}`,
      sku: `SKU-${String((i % 12) + 1).padStart(4, '0')}`,
      quantity: 1,
      total: 1,
      status: 'PENDING',
      version: 1,
      attempts: 0,
      createdAt: new Date(Date.parse('2030-01-01T00:00:00Z') + i),
      updatedAt: new Date(),
    }));
    await server.models.Order.insertMany(docs);
    // Written behind the server's back: the order index learns of them when it is rebuilt.
    await rebuildIndex(server.models, server.app.services.index);

    const queries: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => queries.push(`${collection}.${method}`));
    try {
      const result = await server.graphql<{
        orders: { edges: { node: { customer: { name: string }; product: { name: string } } }[] };
      }>(`{ orders(first: 50) { edges { node { customer { name } product { name } } } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data?.orders.edges).toHaveLength(50);
      expect(result.data?.orders.edges.every((edge) => edge.node.customer.name && edge.node.product.name)).toBe(true);
    } finally {
      mongoose.set('debug', false);
    }
    expect(queries.filter((query) => query === 'customers.find')).toHaveLength(1);
    expect(queries.filter((query) => query === 'products.find')).toHaveLength(1);
  });
});

describe('health', () => {
  it('answers /health and /ready', async () => {
    const health = await fetch(`${server.app.url}/health`);
    const ready = await fetch(`${server.app.url}/ready`);
    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
