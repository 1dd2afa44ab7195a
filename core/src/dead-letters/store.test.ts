/** The dead-letter store on the real MongoDB-wire server and Redis: letters recorded once, listed newest first. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterStore, openDeadLettersKey } from './store.ts';

const id = `dead_letter_store_${randomBytes(4).toString('hex')}`;
const prefix = `${id}.`;
let connection: Connection;
let redis: Redis;
let store: DeadLetterStore;

beforeAll(async () => {
  connection = await mongoose.createConnection(`mongodb://127.0.0.1:27017/${id}`).asPromise();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  store = new DeadLetterStore(connection, redis, prefix);
});
afterAll(async () => {
  await store?.dropOpenList();
  await connection?.dropDatabase();
  await connection?.close();
  redis?.disconnect();
});

const message = (offset: number, value = `not JSON ${offset}`) => ({
  topic: `${prefix}orders.created`,
  partition: 2,
  offset: String(offset),
  key: Buffer.from('SKU-0001'),
  value: Buffer.from(value),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
});

describe('the dead-letter store', () => {
  it('records a message delivered twice once, with its bytes and headers as they came', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x41]);
    const first = await store.record({ ...message(10), value: bytes }, 'the message is not JSON', new Date(1_000));
    const again = await store.record({ ...message(10), value: bytes }, 'the message is not JSON', new Date(2_000));
    expect(again.id).toBe(first.id);
    expect(again.deadAt.getTime()).toBe(1_000);
    expect(await store.openCount()).toBe(1);
    const stored = await store.find(first.id);
    expect(stored?.value?.equals(bytes)).toBe(true);
    expect(stored?.key?.toString()).toBe('SKU-0001');
    expect(stored?.headers).toEqual(message(10).headers);
    expect(await redis.zcard(openDeadLettersKey(prefix))).toBe(1);
  });

  it('does not list again a letter that was acted on when its message comes once more', async () => {
    const letter = await store.record(message(11), 'unknown order', new Date(3_000));
    expect(await store.claimAction(letter, 'DISCARDED')).toBe(true);
    expect(await store.claimAction(letter, 'REQUEUED')).toBe(false);
    await store.close(letter);
    await store.record(message(11), 'unknown order');
    const { letters } = await store.page({ limit: 10 });
    expect(letters.map((entry) => entry.letter.id)).not.toContain(letter.id);
    expect((await store.actionOn(letter.id))?.action).toBe('DISCARDED');
  });

  it('pages the open letters newest first, letters of the same millisecond included', async () => {
    await store.record(message(12), 'r', new Date(5_000));
    await store.record(message(13), 'r', new Date(5_000));
    await store.record(message(14), 'r', new Date(6_000));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.page({ limit: 2, after });
      seen.push(...page.letters.map((entry) => entry.letter.offset));
      if (!page.hasMore) break;
      after = page.letters.at(-1)!.cursor;
    }
    expect(seen).toEqual(['14', '13', '12', '10']);
  });
});
