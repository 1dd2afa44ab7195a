/**
 * The order index on the real Redis: applying changes is idempotent and order-insensitive (checked
 * with generated histories, duplicates and reorderings), pages and counts, statistics, and the log
 * of announced changes. Each test uses its own prefix and drops its keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OrderStatusMessage } from '../events.ts';
import { newOrderDocument, orderFromDocument, orderToWire } from '../order/order.ts';
import type { OrderStatus } from '../status.ts';
import { memberOf, minuteOf, statusNumber } from './layout.ts';
import { LogTooFarBehindError, OrderIndex, type IndexedOrder, type OrderIndexOptions } from './order-index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let redis: Redis;
const made: OrderIndex[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((index) => index.drop()));
});
afterAll(() => redis?.disconnect());

const newPrefix = () => `test_index_${randomBytes(5).toString('hex')}.`;

function newIndex(options: Omit<OrderIndexOptions, 'prefix'> = {}): OrderIndex {
  const index = new OrderIndex(redis, { ...options, prefix: newPrefix() });
  made.push(index);
  return index;
}

/** The hash tag every key of an index starts with. */
const tagOf = (index: OrderIndex) => index.keys.meta.slice(0, index.keys.meta.indexOf('}') + 1);

/** Every key of an index and what it holds (TTLs left out), with the prefix taken out of the names. */
async function dump(index: OrderIndex): Promise<Record<string, unknown>> {
  const tag = tagOf(index);
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${tag}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const name = key.replace(tag, '{P}');
    const type = await redis.type(key);
    if (type === 'zset') out[name] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'hash') out[name] = Object.entries(await redis.hgetall(key)).sort();
    else if (type === 'stream') out[name] = await redis.xrange(key, '-', '+');
    else if (type === 'string') out[name] = await redis.get(key);
    else out[name] = `unexpected type ${type}`;
  }
  return out;
}

interface OrderPlan {
  readonly id: string;
  readonly customerId: string;
  readonly createdAt: number;
  /** The status of each version, from version 1. */
  readonly statuses: readonly OrderStatus[];
  /** When each version was made. */
  readonly times: readonly number[];
}

/** The order as it stands at `version` (1-based), with the history of every version up to it. */
function versionOf(plan: OrderPlan, version: number): IndexedOrder {
  return {
    _id: plan.id,
    customerId: plan.customerId,
    status: plan.statuses[version - 1]!,
    version,
    createdAt: new Date(plan.createdAt),
    history: plan.statuses
      .slice(0, version)
      .map((status, i) => ({ version: i + 1, status, at: new Date(plan.times[i]!) })),
  };
}

const allVersions = (plans: readonly OrderPlan[]) =>
  plans.flatMap((plan) => plan.statuses.map((_, i) => versionOf(plan, i + 1)));

/**
 * A few orders, each PENDING at v1, decided at v2, perhaps retried (PENDING) and decided again,
 * created within the last few minutes (sometimes in the same millisecond) by a few customers.
 */
function orderPlans(now: number) {
  const base = now - 5 * 60_000;
  const plan = fc.record({
    customerId: fc.constantFrom('cus_a', 'cus_b', 'cus_c'),
    // Few distinct values, so that orders often share a millisecond; some cross a minute.
    createdOffset: fc.oneof(fc.constantFrom(0, 1, 59_999, 60_000), fc.integer({ min: 0, max: 120_000 })),
    decisions: fc.array(fc.constantFrom<OrderStatus>('PROCESSED', 'FAILED'), { maxLength: 3 }),
    retriedAtEnd: fc.boolean(),
    stepMs: fc.integer({ min: 1, max: 40_000 }),
  });
  return fc
    .uniqueArray(fc.stringMatching(/^[0-9a-f]{6}$/), { minLength: 1, maxLength: 6 })
    .chain((ids) => fc.tuple(...ids.map(() => plan)).map((plans) => ({ ids, plans })))
    .map(({ ids, plans }) =>
      plans.map((p, i): OrderPlan => {
        const statuses: OrderStatus[] = ['PENDING'];
        for (const [d, decision] of p.decisions.entries()) {
          statuses.push(decision);
          if (decision === 'PROCESSED') break;
          if (d < p.decisions.length - 1 || p.retriedAtEnd) statuses.push('PENDING');
        }
        const createdAt = base + p.createdOffset;
        return {
          id: ids[i]!,
          customerId: p.customerId,
          createdAt,
          statuses,
          times: statuses.map((_, v) => createdAt + v * p.stepMs),
        };
      }),
    );
}

type Mode = 'one by one' | 'concurrently' | 'in one applyAll';

async function applyIn(index: OrderIndex, orders: readonly IndexedOrder[], mode: Mode) {
  if (mode === 'one by one') for (const order of orders) await index.apply(order);
  else if (mode === 'concurrently') await Promise.all(orders.map((order) => index.apply(order)));
  else await index.applyAll(orders);
}

describe('applying changes to the order index', () => {
  it('leaves the same index whatever the order, duplicates and concurrency of the versions applied', async () => {
    const now = Date.now();
    const scenario = orderPlans(now).chain((plans) => {
      const versions = allVersions(plans);
      const positions = versions.map((_, i) => i);
      return fc.record({
        plans: fc.constant(plans),
        // Every version at least once, some again, in any order.
        shuffled: fc.array(fc.nat({ max: versions.length - 1 }), { maxLength: versions.length * 2 }).chain((extra) =>
          fc.shuffledSubarray([...positions, ...extra], {
            minLength: versions.length + extra.length,
            maxLength: versions.length + extra.length,
          }),
        ),
        mode: fc.constantFrom<Mode>('one by one', 'concurrently', 'in one applyAll'),
      });
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ plans, shuffled, mode }) => {
        const inOrder = newIndex();
        const mixed = newIndex();
        try {
          const versions = allVersions(plans);
          for (const order of versions) await inOrder.apply(order);
          await applyIn(
            mixed,
            shuffled.map((i) => versions[i]!),
            mode,
          );

          const expected = await dump(inOrder);
          expect(await dump(mixed)).toEqual(expected);

          // The dump compared is that of the orders as they end, not an empty or partial one.
          const finals = plans.map((plan) => versionOf(plan, plan.statuses.length));
          expect(expected['{P}:1:orders']).toEqual(
            finals.map((o) => [o._id, `${o.version}:${statusNumber(o.status)}`]).sort(),
          );
          for (const status of ['PENDING', 'PROCESSED', 'FAILED'] as const) {
            const members = finals
              .filter((o) => o.status === status)
              .map((o) => memberOf({ at: new Date(o.createdAt).getTime(), id: o._id }))
              .sort();
            const listed = (expected[`{P}:1:status:${status}`] as string[] | undefined) ?? [];
            expect(listed.filter((_, i) => i % 2 === 0)).toEqual(members);
          }
          const created = Object.entries(expected)
            .filter(([key]) => key.startsWith('{P}:1:minute:'))
            .flatMap(([, fields]) => fields as [string, string][])
            .filter(([field]) => field === 'c')
            .reduce((sum, [, n]) => sum + Number(n), 0);
          expect(created).toBe(plans.length);
        } finally {
          await Promise.all([inOrder.drop(), mixed.drop()]);
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** An order of one version: PENDING, or decided at version 2. */
function order(id: string, at: number, status: OrderStatus, customerId = 'cus_a', decidedAt = at + 1000): IndexedOrder {
  const history: { version: number; status: OrderStatus; at: Date }[] = [
    { version: 1, status: 'PENDING', at: new Date(at) },
  ];
  if (status !== 'PENDING') history.push({ version: 2, status, at: new Date(decidedAt) });
  return { _id: id, customerId, status, version: history.length, createdAt: new Date(at), history };
}

const ids = (entries: readonly { id: string }[]) => entries.map((entry) => entry.id);

describe('pages of the order index', () => {
  const t = Date.now() - 60_000;
  // Newest first: t+2 (c, then b), t+1 (z, y, a), t (m).
  const orders = [
    order('m0', t, 'PROCESSED', 'cus_b'),
    order('a1', t + 1, 'FAILED'),
    order('y1', t + 1, 'PENDING', 'cus_b'),
    order('z1', t + 1, 'PROCESSED'),
    order('b2', t + 2, 'PENDING'),
    order('c2', t + 2, 'FAILED', 'cus_b'),
  ];

  it('lists newest first across merged statuses, orders of the same millisecond by id descending', async () => {
    const index = newIndex();
    await index.applyAll(orders);
    expect(ids(await index.page({ limit: 10, oldestFirst: false }))).toEqual(['c2', 'b2', 'z1', 'y1', 'a1', 'm0']);
    expect(ids(await index.page({ statuses: ['PENDING', 'FAILED'], limit: 3, oldestFirst: false }))).toEqual([
      'c2',
      'b2',
      'y1',
    ]);
    expect(ids(await index.page({ customerId: 'cus_b', limit: 10, oldestFirst: false }))).toEqual(['c2', 'y1', 'm0']);
    expect(
      ids(await index.page({ customerId: 'cus_a', statuses: ['PROCESSED'], limit: 10, oldestFirst: false })),
    ).toEqual(['z1']);
    expect(await index.page({ statuses: ['PENDING'], limit: 1, oldestFirst: false })).toEqual([
      { at: t + 2, id: 'b2', version: 1 },
    ]);
  });

  it('excludes the positions olderThan and newerThan name, and reads from the oldest end when asked', async () => {
    const index = newIndex();
    await index.applyAll(orders);
    const y1 = { at: t + 1, id: 'y1' };
    const b2 = { at: t + 2, id: 'b2' };
    expect(ids(await index.page({ olderThan: y1, limit: 10, oldestFirst: false }))).toEqual(['a1', 'm0']);
    expect(ids(await index.page({ newerThan: y1, limit: 10, oldestFirst: false }))).toEqual(['c2', 'b2', 'z1']);
    expect(ids(await index.page({ newerThan: y1, limit: 2, oldestFirst: true }))).toEqual(['z1', 'b2']);
    expect(
      ids(await index.page({ olderThan: b2, newerThan: { at: t, id: 'm0' }, limit: 10, oldestFirst: false })),
    ).toEqual(['z1', 'y1', 'a1']);
    expect(ids(await index.page({ statuses: ['FAILED', 'PROCESSED'], limit: 3, oldestFirst: true }))).toEqual([
      'm0',
      'a1',
      'z1',
    ]);
    expect(await index.page({ limit: 0, oldestFirst: false })).toEqual([]);
  });

  it('counts exactly the orders a filter lists', async () => {
    const index = newIndex();
    await index.applyAll(orders);
    const filters = [
      {},
      { statuses: ['PENDING'] as OrderStatus[] },
      { statuses: ['PENDING', 'FAILED'] as OrderStatus[] },
      { statuses: ['FAILED', 'FAILED'] as OrderStatus[] },
      { customerId: 'cus_b' },
      { customerId: 'cus_a', statuses: ['FAILED'] as OrderStatus[] },
      { customerId: 'nobody' },
    ];
    for (const filter of filters) {
      const listed = await index.page({ ...filter, limit: 100, oldestFirst: false });
      expect(await index.count(filter), JSON.stringify(filter)).toBe(listed.length);
    }
    expect(await index.count({})).toBe(6);
    // A retry moves the order from FAILED to PENDING: counted once, in its new list.
    const a1 = orders[1]!;
    await index.apply({
      ...a1,
      status: 'PENDING',
      version: 3,
      history: [...a1.history, { version: 3, status: 'PENDING', at: new Date(t + 5000) }],
    });
    expect(await index.count({ statuses: ['FAILED'] })).toBe(1);
    expect(await index.count({ statuses: ['PENDING'] })).toBe(3);
    expect(await index.count({})).toBe(6);
  });
});

describe('statistics of the order index', () => {
  it('counts orders per status, and the orders created, processed and failed in each minute', async () => {
    const index = newIndex();
    const now = new Date();
    const thisMinute = minuteOf(now.getTime());
    const before = thisMinute - 60_000;
    await index.applyAll([
      order('o1', before + 10, 'PROCESSED', 'cus_a', thisMinute + 1),
      order('o2', before + 20, 'FAILED', 'cus_a', before + 30),
      order('o3', before + 40, 'PENDING'),
      order('o4', thisMinute, 'PROCESSED', 'cus_b', thisMinute + 2),
      // Made and decided long before the window: listed and counted, in no minute.
      order('o5', thisMinute - 60 * 60_000, 'FAILED', 'cus_b', thisMinute - 59 * 60_000),
    ]);
    const { counts, perMinute } = await index.statistics(now, 30);
    expect(counts).toEqual({ PENDING: 1, PROCESSED: 2, FAILED: 2 });
    expect(perMinute).toHaveLength(30);
    expect(perMinute.at(-1)).toEqual({ at: new Date(thisMinute), created: 1, processed: 2, failed: 0 });
    expect(perMinute.at(-2)).toEqual({ at: new Date(before), created: 3, processed: 0, failed: 1 });
    expect(perMinute.slice(0, -2).every((m) => m.created + m.processed + m.failed === 0)).toBe(true);
    expect(perMinute[0]!.at).toEqual(new Date(thisMinute - 29 * 60_000));
  });
});

/** A status change as the log keeps it, its order built by the order module (whatever fields an order has). */
function change(orderId: string, version: number, partition: number, seq: number): OrderStatusMessage {
  const now = new Date();
  const at = now.toISOString();
  const created = newOrderDocument({
    _id: orderId,
    orderNumber: `ORD-${orderId}`,
    customerId: 'cus_a',
    sku: 'SKU-0001',
    quantity: 1,
    total: 10,
    idempotencyKey: null,
    createdAt: now,
  });
  const order = { ...orderFromDocument(created), status: 'PROCESSED', version, attempts: 1, processedAt: now } as const;
  return {
    change: {
      v: 1,
      type: 'OrderStatusChanged',
      changeId: `${orderId}:${version}`,
      orderId,
      version,
      previousStatus: 'PENDING',
      status: 'PROCESSED',
      error: null,
      at,
      partition,
      seq,
    },
    order: orderToWire({ ...order, history: [] }),
  };
}

/** Applies the PROCESSED version 2 of order `id`, logged at `seq` of `partition` and published on `channel`. */
function logged(index: OrderIndex, id: string, partition: number, seq: number, channel = `${index.keys.base}:quiet`) {
  const message = JSON.stringify(change(id, 2, partition, seq));
  return index.apply(order(id, Date.now() - 1000, 'PROCESSED'), {
    publish: { channel, message },
    log: { partition, seq },
  });
}

/** Appends changes seq from..to (one order each) to a partition's log. */
async function appendRange(index: OrderIndex, partition: number, from: number, to: number) {
  const writes: Promise<void>[] = [];
  for (let seq = from; seq <= to; seq++) writes.push(logged(index, `p${partition}s${seq}`, partition, seq));
  await Promise.all(writes);
}

describe('the log of announced changes', () => {
  let subscriber: Redis;
  beforeAll(() => {
    subscriber = new Redis(REDIS_URL);
  });
  afterAll(() => subscriber?.disconnect());

  /**
   * Runs `test` on a new index with a channel of its own, listened to: `drained` waits until a PUBLISH
   * made after everything before it has arrived, so nothing is still on its way, and gives what came.
   */
  async function onChannel(
    test: (index: OrderIndex, channel: string, drained: () => Promise<string[]>) => Promise<void>,
  ): Promise<void> {
    const index = newIndex({ logLength: 100 });
    const channel = `${index.keys.base}:test-channel`;
    const received: string[] = [];
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) received.push(message);
    });
    await subscriber.subscribe(channel);
    const drained = async () => {
      const marker = `marker-${randomBytes(4).toString('hex')}`;
      await redis.publish(channel, marker);
      await expect.poll(() => received.includes(marker)).toBe(true);
      return received.filter((message) => message !== marker);
    };
    try {
      await test(index, channel, drained);
    } finally {
      await subscriber.unsubscribe(channel);
      subscriber.removeAllListeners('message');
    }
  }

  it('keeps and publishes a change appended twice with the same seq only once', () =>
    onChannel(async (index, channel, drained) => {
      await logged(index, 'o1', 0, 7, channel);
      await logged(index, 'o1', 0, 7, channel);
      expect(await redis.xlen(index.keys.log(0))).toBe(1);
      expect(await index.logHeads()).toEqual(new Map([[0, 7]]));
      const messages = await drained();
      expect(messages).toHaveLength(1);
      expect((JSON.parse(messages[0]!) as OrderStatusMessage).change.seq).toBe(7);
    }));

  it('refuses to log or publish a change with a lower seq than the head, while the index takes the order', () =>
    onChannel(async (index, channel, drained) => {
      await logged(index, 'o1', 3, 10, channel);
      await logged(index, 'o2', 3, 9, channel);
      expect((await redis.xrange(index.keys.log(3), '-', '+')).map(([id]) => id)).toEqual(['10-1']);
      expect(await index.logHeads()).toEqual(new Map([[3, 10]]));
      expect(await redis.hget(index.keys.orders, 'o2')).toBe(`2:${statusNumber('PROCESSED')}`);
      const messages = await drained();
      expect(messages.map((m) => (JSON.parse(m) as OrderStatusMessage).change.orderId)).toEqual(['o1']);
    }));

  it("announces an order's creation when the processor's decision reached the index first, and not twice", () =>
    onChannel(async (index, channel, drained) => {
      await logged(index, 'o1', 0, 1);
      const created = order('o1', Date.now() - 1000, 'PENDING');
      const creation = { channel, message: 'created o1' };
      await index.apply(created, { publish: { ...creation, evenIfIndexIsAhead: true } });
      await index.apply(created, { publish: creation });
      expect(await redis.hget(index.keys.orders, 'o1')).toBe(`2:${statusNumber('PROCESSED')}`);
      expect(await drained()).toEqual(['created o1']);
    }));

  it('announces nothing for an older version unless told to', () =>
    onChannel(async (index, channel, drained) => {
      await logged(index, 'o2', 0, 1);
      await index.apply(order('o2', Date.now() - 1000, 'PENDING'), { publish: { channel, message: 'late o2' } });
      expect(await drained()).toEqual([]);
    }));

  it('reads back the changes that follow a point, each partition in its order', async () => {
    const index = newIndex();
    await index.markBuilt(true);
    await appendRange(index, 0, 1, 5);
    await appendRange(index, 1, 2, 3);
    const logs = await index.readLog(new Map([[0, 2]]), [0, 1, 2], 100);
    expect(logs.get(0)!.map((m) => [m.change.partition, m.change.seq, m.change.orderId])).toEqual([
      [0, 3, 'p0s3'],
      [0, 4, 'p0s4'],
      [0, 5, 'p0s5'],
    ]);
    // A partition the point does not name is read from its start; one with no log has nothing.
    expect(logs.get(1)!.map((m) => m.change.seq)).toEqual([2, 3]);
    expect(logs.get(2)).toEqual([]);
    expect((await index.readLog(new Map([[0, 5]]), [0], 100)).get(0)).toEqual([]);
  });

  it('refuses a point the trimmed log no longer holds what follows of, or that more than the limit follow', async () => {
    const index = newIndex({ logLength: 100 });
    await index.markBuilt(true);
    await appendRange(index, 0, 1, 300);
    const kept = await redis.xrange(index.keys.log(0), '-', '+');
    expect(kept.length).toBeLessThan(300);
    const first = Number(kept[0]![0].split('-')[0]);
    expect(first).toBeGreaterThan(1);
    // Right before the first entry kept: served in full.
    const served = await index.readLog(new Map([[0, first - 1]]), [0], 1000);
    expect(served.get(0)!.map((m) => m.change.seq)).toEqual(Array.from({ length: 301 - first }, (_, i) => first + i));
    // Earlier, or from the start: what came between is gone.
    await expect(index.readLog(new Map([[0, first - 2]]), [0], 1000)).rejects.toBeInstanceOf(LogTooFarBehindError);
    await expect(index.readLog(new Map(), [0], 1000)).rejects.toBeInstanceOf(LogTooFarBehindError);
    // More changes follow than the limit allows.
    await expect(index.readLog(new Map([[0, 290]]), [0], 10)).resolves.toBeDefined();
    await expect(index.readLog(new Map([[0, 289]]), [0], 10)).rejects.toBeInstanceOf(LogTooFarBehindError);
  });

  it('counts the limit over all the partitions read', async () => {
    const index = newIndex();
    await index.markBuilt(true);
    await appendRange(index, 0, 1, 6);
    await appendRange(index, 1, 1, 6);
    await expect(index.readLog(new Map(), [0, 1], 12)).resolves.toBeDefined();
    await expect(index.readLog(new Map(), [0, 1], 11)).rejects.toBeInstanceOf(LogTooFarBehindError);
  });

  it('serves nothing from before the first entry of a log begun without genesis, and everything with it', async () => {
    const flushed = newIndex();
    await flushed.markBuilt(false);
    await appendRange(flushed, 0, 20, 22);
    await expect(flushed.readLog(new Map(), [0], 100)).rejects.toBeInstanceOf(LogTooFarBehindError);
    await expect(flushed.readLog(new Map([[0, 10]]), [0], 100)).rejects.toBeInstanceOf(LogTooFarBehindError);
    expect((await flushed.readLog(new Map([[0, 19]]), [0], 100)).get(0)!.map((m) => m.change.seq)).toEqual([
      20, 21, 22,
    ]);

    const fromTheStart = newIndex();
    await fromTheStart.markBuilt(true);
    expect(await fromTheStart.state()).toMatchObject({ layout: 1, genesis: true });
    await appendRange(fromTheStart, 0, 20, 22);
    expect((await fromTheStart.readLog(new Map(), [0], 100)).get(0)!.map((m) => m.change.seq)).toEqual([20, 21, 22]);
    expect((await fromTheStart.readLog(new Map([[0, 10]]), [0], 100)).get(0)!.map((m) => m.change.seq)).toEqual([
      20, 21, 22,
    ]);
  });
});
