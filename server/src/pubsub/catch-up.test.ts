import { describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '@orders/core';
import { arrange, type PlacedMessage } from './catch-up.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, second)).toISOString();

function logged(orderId: string, partition: number, seq: number, second: number): PlacedMessage {
  return {
    change: {
      v: 1,
      type: 'OrderStatusChanged',
      changeId: `${orderId}:2`,
      orderId,
      version: 2,
      previousStatus: 'PENDING',
      status: 'PROCESSED',
      error: null,
      at: at(second),
      partition,
      seq,
    },
    order: { _id: orderId } as OrderSnapshot,
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
