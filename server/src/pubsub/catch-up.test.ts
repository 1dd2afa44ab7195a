import { describe, expect, it } from 'vitest';
import { applyChange, newOrder, orderToWire, statusChangedEvent } from '@orders/core';
import { arrange, type PlacedMessage } from './catch-up.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, second));

/** The message a decision of `orderId` at `second` is logged with, built by the order module as the processor does. */
function logged(orderId: string, partition: number, seq: number, second: number): PlacedMessage {
  const created = at(0).toISOString();
  const event = { v: 1, type: 'OrderCreated', orderId, version: 1, customerId: 'cus_0001', sku: 'SKU-0001' } as const;
  const order = newOrder({
    ...event,
    quantity: 1,
    at: created,
    orderNumber: `ORD-${orderId}`,
    total: 10,
    createdAt: created,
  })!;
  const change = { version: 2, previousStatus: 'PENDING', status: 'PROCESSED', at: at(second), error: null } as const;
  return {
    change: { ...statusChangedEvent({ ...change, _id: `${orderId}:2`, orderId }), partition, seq },
    order: orderToWire(applyChange(order, change)),
  };
}

describe('arrange', () => {
  it('keeps each partition in its order and interleaves partitions by time', () => {
    const logs = new Map([
      [0, [logged('b', 0, 5, 2), logged('e', 0, 7, 6)]],
      [1, [logged('c', 1, 7, 3), logged('d', 1, 9, 4)]],
      [2, []],
    ]);
    expect(arrange(logs).map((message) => message.change.orderId)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('never reorders a partition, even when its clock went back', () => {
    const logs = new Map([
      [0, [logged('late', 0, 1, 9), logged('early', 0, 3, 1)]],
      [1, [logged('x', 1, 1, 5)]],
    ]);
    expect(arrange(logs).map((message) => message.change.orderId)).toEqual(['x', 'late', 'early']);
  });
});
