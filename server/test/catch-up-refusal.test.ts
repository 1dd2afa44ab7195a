/**
 * Resuming from a cursor older than the logs keep is refused from the logs' floors, before a single
 * entry is read; a cursor within them reads what followed it. On the real Redis, with logs kept short.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderIndex } from '@orders/core';
import { REDIS_URL } from '../../test/support/index.ts';
import { CatchUpReader } from '../src/pubsub/catch-up.ts';

const KEPT = 5;
const APPENDED = 80;

let redis: Redis;
let index: OrderIndex;
let reads: number;
/** The index as the reader sees it, counting the reads of log entries. */
let counted: OrderIndex;

/** The decision of order `n`, logged at sequence 2n + 1 of partition 0 (as an offset n would place it). */
function decision(n: number) {
  const at = new Date(Date.UTC(2026, 10, 24, 12, 0, 0, n));
  const id = n.toString(16).padStart(24, '0');
  const order = {
    _id: id,
    customerId: 'cus_0001',
    status: 'PROCESSED' as const,
    version: 2,
    createdAt: at,
    history: [
      { version: 1, status: 'PENDING' as const, at },
      { version: 2, status: 'PROCESSED' as const, at },
    ],
  };
  const change = { orderId: id, version: 2, status: 'PROCESSED', at: at.toISOString() };
  return { order, message: JSON.stringify({ change, order: { _id: id } }) };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  index = new OrderIndex(redis, { prefix: `catch_up_refusal_${randomBytes(4).toString('hex')}.`, logLength: KEPT });
  await index.markBuilt(true);
  for (let n = 0; n < APPENDED; n++) {
    const { order, message } = decision(n);
    await index.apply(order, { log: { partition: 0, seq: 2 * n + 1 }, publish: { channel: '', message } });
  }
  counted = new Proxy(index, {
    get(target, property, receiver) {
      if (property === 'readLog') reads += 1;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
});
afterAll(async () => {
  await index?.drop();
  redis?.disconnect();
});

describe('catching up from a cursor', () => {
  it('refuses a cursor the log has moved past with BAD_USER_INPUT, reading no entry', async () => {
    reads = 0;
    const floor = (await index.resumableFrom([0])).get(0)!;
    expect(floor).toBeGreaterThan(2 * (APPENDED - KEPT - 64));

    const reader = new CatchUpReader(counted, [0, 1], 10_000);
    await expect(reader.read(new Map([[0, 1]]))).rejects.toMatchObject({
      message:
        'after: the log of partition 0 no longer holds the changes after 1 (at most 10000 are kept); ' +
        'read the orders query, then subscribe again without `after`',
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
    expect(reads).toBe(0);
  });

  it('reads what followed a cursor the log still holds, in order', async () => {
    reads = 0;
    const reader = new CatchUpReader(counted, [0, 1], 10_000);
    const last = 2 * (APPENDED - 1) + 1;
    const missed = await reader.read(new Map([[0, last - 4]]));
    expect(missed.map((message) => message.change.seq)).toEqual([last - 2, last]);
    expect(reads).toBe(1);
  });

  it('still refuses, after reading, a cursor with more changes since than the limit', async () => {
    const floor = (await index.resumableFrom([0])).get(0)!;
    const reader = new CatchUpReader(counted, [0, 1], 2);
    await expect(reader.read(new Map([[0, floor]]))).rejects.toMatchObject({
      message: expect.stringMatching(/^after: more than 2 changes were made since this point/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
