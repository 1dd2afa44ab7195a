/**
 * Lists, counts and statistics from the order index in Redis, checked against MongoDB: paging
 * forwards and backwards through every kind of filter gives each order once, in order, with ties
 * in the same millisecond; two instances of one system answer alike, also right after a write
 * through one of them; and an index deleted under running servers is noticed and rebuilt.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_LAYOUT, rebuildIndex, type OrderStatus } from '@orders/core';
import { startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';
import { PAGE_INFO, type PageInfo } from './page-info.ts';

let server: TestServer;
let other: TestServer;

const CUSTOMERS = ['cus_0001', 'cus_0002', 'cus_0003', 'cus_0004'];
const ORDER_COUNT = 300;

beforeAll(async () => {
  // Checks for a missing index every second, so that the test can wait for the periodic check.
  server = await startTestServer('lists', { INDEX_CHECK_MS: '1000' });
  other = await startTestServer('lists', {}, { env: server.env });
  await server.models.Order.insertMany(madeOrders(Date.now()));
  await rebuildIndex(server.models, server.app.services.index);
});
afterAll(async () => {
  await other?.close();
  await server?.close();
});

/** A small deterministic generator (mulberry32), so that a failing run can be made again. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Orders made in the last ten minutes, one, two or three in each millisecond used, by four
 * customers: pending, decided, and retried (FAILED then PENDING again, and decided again).
 */
function madeOrders(now: number) {
  const next = random(20261124);
  const base = now - 10 * 60_000;
  const orders: Record<string, unknown>[] = [];
  for (let at = base; orders.length < ORDER_COUNT; at += 1000 + Math.floor(next() * 3000)) {
    const together = next() < 0.4 ? 1 : next() < 0.6 ? 2 : 3;
    for (let k = 0; k < together && orders.length < ORDER_COUNT; k++) {
      const n = orders.length;
      const roll = next();
      const statuses: OrderStatus[] =
        roll < 0.3
          ? ['PENDING']
          : roll < 0.6
            ? ['PENDING', 'PROCESSED']
            : roll < 0.8
              ? ['PENDING', 'FAILED']
              : roll < 0.9
                ? ['PENDING', 'FAILED', 'PENDING']
                : ['PENDING', 'FAILED', 'PENDING', 'PROCESSED'];
      const times = statuses.map((_, v) => new Date(Math.min(at + v * (1000 + Math.floor(next() * 20_000)), now)));
      const status = statuses.at(-1)!;
      const failedAt = statuses.lastIndexOf('FAILED');
      orders.push({
        _id: randomBytes(12).toString('hex'),
        orderNumber: `ORD-LIST-${String(n).padStart(4, '0')}`,
        customerId: CUSTOMERS[Math.floor(next() * CUSTOMERS.length)]!,
        sku: 'SKU-0001',
        quantity: 1,
        total: 10,
        status,
        version: statuses.length,
        attempts: statuses.filter((s) => s !== 'PENDING').length,
        error: status === 'FAILED' ? 'payment declined' : null,
        idempotencyKey: null,
        createdAt: new Date(at),
        processedAt: status === 'PROCESSED' ? times.at(-1) : null,
        failedAt: status === 'FAILED' && failedAt >= 0 ? times[failedAt] : null,
        updatedAt: times.at(-1),
        history: statuses.map((s, v) => ({
          version: v + 1,
          previousStatus: v === 0 ? null : statuses[v - 1],
          status: s,
          at: times[v],
          error: s === 'FAILED' ? 'payment declined' : null,
        })),
      });
    }
  }
  return orders;
}

interface Filter {
  status?: OrderStatus[];
  customerId?: string;
}

const FILTERS: Filter[] = [
  {},
  { status: ['PENDING'] },
  { status: ['PROCESSED'] },
  { status: ['FAILED'] },
  { status: ['PENDING', 'FAILED'] },
  { customerId: 'cus_0002' },
  { customerId: 'cus_0003', status: ['FAILED'] },
  { customerId: 'cus_0004', status: ['PENDING', 'PROCESSED'] },
];

/** The order numbers a filter lists, by scanning MongoDB: newest first, then by id descending. */
async function reference(filter: Filter): Promise<string[]> {
  const all = await server.models.Order.find({}).lean();
  return all
    .filter((order) => filter.status === undefined || filter.status.includes(order.status))
    .filter((order) => filter.customerId === undefined || order.customerId === filter.customerId)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0))
    .map((order) => order.orderNumber);
}

const LIST = /* GraphQL */ `
  query List($status: [OrderStatus!], $customerId: ID, $first: Int, $after: String, $last: Int, $before: String) {
    orders(status: $status, customerId: $customerId, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          orderNumber
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
  totalCount: number;
  edges: { cursor: string; node: { orderNumber: string } }[];
  pageInfo: PageInfo;
}

async function page(through: TestServer, variables: Record<string, unknown>): Promise<Page> {
  const result = await through.graphql<{ orders: Page }>(LIST, variables);
  expect(result.errors).toBeUndefined();
  const found = result.data!.orders;
  expect(found.pageInfo.startCursor).toBe(found.edges[0]?.cursor ?? null);
  expect(found.pageInfo.endCursor).toBe(found.edges.at(-1)?.cursor ?? null);
  return found;
}

/**
 * Every page, checking each page's size, count and flags: forwards from the newest with `first` and
 * `after`, or backwards from the oldest with `last` and `before` (put together newest first).
 */
async function walk(
  direction: 'forwards' | 'backwards',
  through: TestServer,
  filter: Filter,
  size: number,
  expected: readonly string[],
) {
  const forwards = direction === 'forwards';
  let seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages <= expected.length / size + 1; pages++) {
    const window = forwards ? { first: size, after: cursor } : { last: size, before: cursor };
    const found = await page(through, { ...filter, ...window });
    expect(found.totalCount).toBe(expected.length);
    expect(found.edges.length).toBe(Math.min(size, expected.length - seen.length));
    const { hasNextPage, hasPreviousPage, startCursor, endCursor } = found.pageInfo;
    // Behind: the pages already walked; ahead: those still to come.
    const [behind, ahead] = forwards ? [hasPreviousPage, hasNextPage] : [hasNextPage, hasPreviousPage];
    expect(behind).toBe(seen.length > 0);
    const numbers = found.edges.map((edge) => edge.node.orderNumber);
    seen = forwards ? [...seen, ...numbers] : [...numbers, ...seen];
    expect(ahead).toBe(seen.length < expected.length);
    if (!ahead) break;
    cursor = forwards ? endCursor : startCursor;
  }
  return seen;
}

/** Pages through every filter both ways on one instance (the walks side by side), and compares with MongoDB. */
async function expectListsAsInMongo(through: TestServer, size: number) {
  await Promise.all(
    FILTERS.map(async (filter) => {
      const expected = await reference(filter);
      const [forward, backward] = await Promise.all([
        walk('forwards', through, filter, size, expected),
        walk('backwards', through, filter, size, expected),
      ]);
      expect(forward, `forwards ${JSON.stringify(filter)}`).toEqual(expected);
      expect(backward, `backwards ${JSON.stringify(filter)}`).toEqual(expected);
    }),
  );
}

const STATS = /* GraphQL */ `
  {
    orderStats {
      total
      pending
      processed
      failed
      perMinute {
        at
        created
        processed
        failed
      }
    }
  }
`;

interface Stats {
  total: number;
  pending: number;
  processed: number;
  failed: number;
  perMinute: { at: string; created: number; processed: number; failed: number }[];
}

/** The statistics of one instance equal what MongoDB holds: counts per status, and each minute's changes. */
async function expectStatsAsInMongo(through: TestServer) {
  const result = await through.graphql<{ orderStats: Stats }>(STATS);
  expect(result.errors).toBeUndefined();
  const stats = result.data!.orderStats;
  const all = await server.models.Order.find({}).lean();
  const inStatus = (status: OrderStatus) => all.filter((order) => order.status === status).length;
  expect({ total: stats.total, pending: stats.pending, processed: stats.processed, failed: stats.failed }).toEqual({
    total: all.length,
    pending: inStatus('PENDING'),
    processed: inStatus('PROCESSED'),
    failed: inStatus('FAILED'),
  });
  const within = (at: Date, start: number) => at.getTime() >= start && at.getTime() < start + 60_000;
  const minutes = stats.perMinute.map((minute) => {
    const start = Date.parse(minute.at);
    const decided = (status: OrderStatus) =>
      all.flatMap((order) => order.history).filter((entry) => entry.status === status && within(entry.at, start))
        .length;
    return {
      at: minute.at,
      created: all.filter((order) => within(order.createdAt, start)).length,
      processed: decided('PROCESSED'),
      failed: decided('FAILED'),
    };
  });
  expect(stats.perMinute).toEqual(minutes);
  // Every order was made within the series' window: each is counted in some minute.
  expect(stats.perMinute.reduce((sum, minute) => sum + minute.created, 0)).toBe(all.length);
}

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateOrderInput!) {
    createOrder(input: $input) {
      orderNumber
      status
    }
  }
`;

describe('order lists from the index', () => {
  it('holds a mix of statuses, customers and orders made in the same millisecond', async () => {
    const all = await server.models.Order.find({}).lean();
    expect(all).toHaveLength(ORDER_COUNT);
    const perMs = new Map<number, number>();
    for (const order of all) perMs.set(order.createdAt.getTime(), (perMs.get(order.createdAt.getTime()) ?? 0) + 1);
    expect([...perMs.values()].filter((n) => n === 2).length).toBeGreaterThan(20);
    expect([...perMs.values()].filter((n) => n === 3).length).toBeGreaterThan(20);
    // Each list fills at least one page of 7; most fill several.
    for (const filter of FILTERS) {
      expect((await reference(filter)).length, JSON.stringify(filter)).toBeGreaterThanOrEqual(7);
    }
  });

  it('pages forwards with first/after and backwards with last/before through every filter exactly as MongoDB orders them', async () => {
    await expectListsAsInMongo(server, 7);
  });

  it('counts each status and each minute of the statistics as MongoDB holds them', async () => {
    await expectStatsAsInMongo(server);
  });
});

describe('two instances of one system', () => {
  it('answer the same lists and statistics', async () => {
    await expectListsAsInMongo(other, 25);
    await expectStatsAsInMongo(other);
    for (const filter of FILTERS) {
      const [mine, theirs] = await Promise.all([
        page(server, { ...filter, first: 100 }),
        page(other, { ...filter, first: 100 }),
      ]);
      expect(theirs).toEqual(mine);
    }
  });

  it('list an order created through one of them at once through the other', async () => {
    for (const [through, readBack] of [
      [server, other],
      [other, server],
    ] as const) {
      const before = await page(readBack, { customerId: 'cus_0002', status: ['PENDING'], first: 1 });
      const created = await through.graphql<{ createOrder: { orderNumber: string; status: string } }>(CREATE, {
        input: { customerId: 'cus_0002', sku: 'SKU-0002', quantity: 1 },
      });
      expect(created.errors).toBeUndefined();
      const { orderNumber } = created.data!.createOrder;

      const newest = await page(readBack, { customerId: 'cus_0002', status: ['PENDING'], first: 1 });
      expect(newest.edges.map((edge) => edge.node.orderNumber)).toEqual([orderNumber]);
      expect(newest.totalCount).toBe(before.totalCount + 1);
      expect((await page(readBack, { first: 1 })).edges[0]?.node.orderNumber).toBe(orderNumber);
      expect((await reference({}))[0]).toBe(orderNumber);
      await expectStatsAsInMongo(readBack);
    }
    await expectListsAsInMongo(other, 7);
    await expectListsAsInMongo(server, 25);
  });
});

describe('an order index deleted under running servers', () => {
  it('is noticed by a check and rebuilt from MongoDB, and the lists and counts come back', async () => {
    const { index } = server.app.services;
    expect(await index.drop()).toBeGreaterThan(0);
    expect(await index.count({})).toBe(0);
    server.app.indexKeeper.checkInBackground();
    other.app.indexKeeper.checkInBackground();
    await Promise.all([server.app.indexKeeper.settled(), other.app.indexKeeper.settled()]);
    expect(await index.state()).toMatchObject({ layout: INDEX_LAYOUT, genesis: false });
    await expectListsAsInMongo(server, 7);
    await expectListsAsInMongo(other, 25);
    await expectStatsAsInMongo(server);
    await expectStatsAsInMongo(other);
  });

  it('is rebuilt by the periodic check alone, every INDEX_CHECK_MS', async () => {
    const { index } = server.app.services;
    await index.drop();
    expect(await index.state()).toMatchObject({ layout: undefined });
    // INDEX_CHECK_MS is 1 s here: far sooner than the default 10 s.
    await waitFor('the index to be rebuilt', async () => (await index.state()).layout === INDEX_LAYOUT, 5000);
    await Promise.all([server.app.indexKeeper.settled(), other.app.indexKeeper.settled()]);
    await expectListsAsInMongo(server, 7);
    await expectListsAsInMongo(other, 25);
    await expectStatsAsInMongo(other);
  });
});
