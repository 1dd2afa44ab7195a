import { describe, expect, it } from 'vitest';
import type { Announcement } from './announcement.ts';
import { eventMessagesOf, indexEntryOf, offsetsOf } from './publish-status-change.ts';

const created = new Date('2026-01-01T10:00:00.000Z');
const decided = new Date('2026-01-01T10:00:01.000Z');
const retried = new Date('2026-01-01T10:05:00.000Z');

/** An order that was FAILED, then retried (PENDING again): version 3. */
const order = {
  _id: 'o1',
  orderNumber: 'ORD-260101-AAAAAA',
  customerId: 'c1',
  sku: 'SKU-1',
  quantity: 2,
  total: 20,
  status: 'PENDING',
  version: 3,
  attempts: 1,
  error: null,
  createdAt: created,
  processedAt: null,
  failedAt: null,
  updatedAt: retried,
  history: [
    { version: 1, previousStatus: null, status: 'PENDING', at: created, error: null },
    { version: 2, previousStatus: 'PENDING', status: 'FAILED', at: decided, error: 'out of stock' },
    { version: 3, previousStatus: 'FAILED', status: 'PENDING', at: retried, error: null },
  ],
} as unknown as Announcement['order'];

const failedChange = {
  _id: 'o1:2',
  orderId: 'o1',
  version: 2,
  previousStatus: 'PENDING',
  status: 'FAILED',
  error: 'out of stock',
  at: decided,
  stockAfter: null,
  partition: 4,
  seq: 17,
} as const satisfies Announcement['change'];

const at = (topic: string, partition: number, offset: number) => ({
  cause: { topic, partition, offset: String(offset) },
});

describe('offsetsOf', () => {
  it('commits one past the last message read of each partition, whatever order the batch holds them in', () => {
    const offsets = offsetsOf([
      at('orders.created', 0, 5),
      at('orders.created', 1, 2),
      at('orders.created', 0, 9),
      at('orders.created', 0, 7),
    ]);
    expect(offsets).toEqual([
      {
        topic: 'orders.created',
        partitions: [
          { partition: 0, offset: '10' },
          { partition: 1, offset: '3' },
        ],
      },
    ]);
  });

  it('keeps topics apart and commits nothing for an empty batch', () => {
    expect(offsetsOf([at('a', 0, 1), at('b', 0, 2)]).map(({ topic }) => topic)).toEqual(['a', 'b']);
    expect(offsetsOf([])).toEqual([]);
  });
});

describe('eventMessagesOf', () => {
  it('sends one OrderStatusChanged event per change, keyed by its order, with its place in the stream', () => {
    const [message, ...rest] = eventMessagesOf([{ change: failedChange, order }]);
    expect(rest).toEqual([]);
    expect(message?.key).toBe('o1');
    expect(JSON.parse(String(message?.value))).toMatchObject({
      type: 'OrderStatusChanged',
      changeId: 'o1:2',
      orderId: 'o1',
      version: 2,
      previousStatus: 'PENDING',
      status: 'FAILED',
      error: 'out of stock',
      at: decided.toISOString(),
      partition: 4,
      seq: 17,
    });
  });
});

describe('indexEntryOf', () => {
  it('gives Redis the order as it stood right after the change, not as it stands now', () => {
    const { message, log } = indexEntryOf({ change: failedChange, order });
    expect(log).toEqual({ partition: 4, seq: 17 });
    expect(message.change.changeId).toBe('o1:2');
    expect(message.order).toMatchObject({ _id: 'o1', status: 'FAILED', version: 2, error: 'out of stock' });
    expect(message.order.history.map((entry) => entry.version)).toEqual([1, 2]);
  });

  it('refuses a change with no place in a stream, which subscribers could not resume after', () => {
    expect(() => indexEntryOf({ change: { ...failedChange, partition: null, seq: null }, order })).toThrow(
      /status change o1:2 has no place in a stream/,
    );
  });
});
