/**
 * What the repair writes, on the real Redis: lost log entries put back in their places among the
 * ones written since, and the checkpoint that only lands on the node it was read on.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderIndex } from './order-index.ts';

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

async function newIndex(): Promise<OrderIndex> {
  const index = new OrderIndex(redis, { prefix: `test_restore_${randomBytes(5).toString('hex')}.` });
  made.push(index);
  await index.markBuilt(true);
  return index;
}

const message = (seq: number) => JSON.stringify({ change: { seq }, order: {} });
const seqsOf = async (index: OrderIndex, partition: number) =>
  (await redis.xrange(index.keys.log(partition), '-', '+')).map(([id]) => Number(id.split('-')[0]));

describe('restoring a log after a failover', () => {
  it('puts lost entries back between the ones written since, and moves the head to the last', async () => {
    const index = await newIndex();
    for (const seq of [1, 3, 9, 11]) await redis.xadd(index.keys.log(0), `${seq}-1`, 'm', message(seq));
    await redis.hset(index.keys.logHeads, '0', 11);
    const restored = await index.restoreLog(0, [
      { seq: 3, message: message(3) },
      { seq: 5, message: message(5) },
      { seq: 7, message: message(7) },
      { seq: 13, message: message(13) },
    ]);
    expect(restored).toBe(3);
    expect(await seqsOf(index, 0)).toEqual([1, 3, 5, 7, 9, 11, 13]);
    expect((await index.logHeads()).get(0)).toBe(13);
    // Read back as a resuming subscriber reads it: in order, each once.
    const read = await index.readLog(new Map([[0, 3]]), [0], 100);
    expect(read.get(0)!.map((entry) => entry.change.seq)).toEqual([5, 7, 9, 11, 13]);
  });

  it('changes nothing when the log holds every entry already', async () => {
    const index = await newIndex();
    for (const seq of [1, 3]) await redis.xadd(index.keys.log(2), `${seq}-1`, 'm', message(seq));
    await redis.hset(index.keys.logHeads, '2', 3);
    expect(await index.restoreLog(2, [{ seq: 3, message: message(3) }])).toBe(0);
    expect(await seqsOf(index, 2)).toEqual([1, 3]);
  });
});

describe('the checkpoint of a whole index', () => {
  it('is recorded on the node it was read on, and refused on another', async () => {
    const index = await newIndex();
    const { node, verifiedOn } = await index.verification();
    expect(verifiedOn).toBeUndefined();
    expect(await index.whole()).toBe(true);
    expect(await index.recordCheckpoint(node, new Map([[0, 42n]]), true)).toBe(true);
    expect(await index.checkpoint()).toEqual(new Map([[0, 42n]]));
    expect(await index.recordCheckpoint('another-node', new Map([[0, 99n]]), true)).toBe(false);
    expect(await index.checkpoint()).toEqual(new Map([[0, 42n]]));
    await redis.hset(index.keys.meta, 'verifiedOn', 'a-node-that-failed-over');
    expect(await index.whole()).toBe(false);
  });
});
