import { describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '@orders/core';
import { arrange, type PlacedChange } from './catch-up.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 12, 0, second));

function order(id: string, changes: { version: number; status: OrderSnapshot['status']; second: number }[]) {
  const history = [
    { version: 1, previousStatus: null, status: 'PENDING' as const, at: at(0).toISOString(), error: null },
    ...changes.map((change, index) => ({
      version: change.version,
      previousStatus: index === 0 ? ('PENDING' as const) : changes[index - 1]!.status,
      status: change.status,
      at: at(change.second).toISOString(),
      error: change.status === 'FAILED' ? 'declined' : null,
    })),
  ];
  const last = history.at(-1)!;
  const snapshot: OrderSnapshot = {
    _id: id,
    orderNumber: `ORD-${id}`,
    customerId: 'cus_0001',
    sku: 'SKU-0001',
    quantity: 1,
    total: 10,
    status: last.status,
    version: last.version,
    attempts: history.filter((entry) => entry.previousStatus === 'PENDING').length,
    error: last.error,
    createdAt: at(0).toISOString(),
    processedAt: last.status === 'PROCESSED' ? last.at : null,
    failedAt: last.status === 'FAILED' ? last.at : null,
    updatedAt: last.at,
    history,
  };
  return snapshot;
}

const change = (
  orderId: string,
  version: number,
  status: PlacedChange['status'],
  partition: number,
  seq: number,
  second: number,
  previousStatus: PlacedChange['previousStatus'] = 'PENDING',
): PlacedChange => ({
  _id: `${orderId}:${version}`,
  orderId,
  version,
  previousStatus,
  status,
  error: null,
  at: at(second),
  partition,
  seq,
});

describe('arrange', () => {
  it('keeps each stream in sequence order, interleaves streams by time, and skips what the cursor has seen', () => {
    const orders = new Map([
      ['a', order('a', [{ version: 2, status: 'PROCESSED', second: 1 }])],
      ['b', order('b', [{ version: 2, status: 'FAILED', second: 2 }])],
      ['c', order('c', [{ version: 2, status: 'PROCESSED', second: 3 }])],
      ['d', order('d', [{ version: 2, status: 'PROCESSED', second: 4 }])],
    ]);
    const changes = [
      change('d', 2, 'PROCESSED', 1, 9, 4),
      change('b', 2, 'FAILED', 0, 5, 2),
      change('c', 2, 'PROCESSED', 1, 7, 3),
      change('a', 2, 'PROCESSED', 0, 3, 1),
    ];
    const arranged = arrange(changes, orders, new Map([[0, 3]]));
    expect(arranged.map((message) => message.change.orderId)).toEqual(['b', 'c', 'd']);
    expect(arranged.map((message) => [message.change.partition, message.change.seq])).toEqual([
      [0, 5],
      [1, 7],
      [1, 9],
    ]);
  });

  it('stops a stream at a change not yet written onto its order; the live feed carries it and what follows', () => {
    const orders = new Map([
      ['a', order('a', [])],
      ['b', order('b', [{ version: 2, status: 'PROCESSED', second: 2 }])],
      ['c', order('c', [{ version: 2, status: 'PROCESSED', second: 3 }])],
    ]);
    const changes = [
      change('a', 2, 'PROCESSED', 0, 1, 1),
      change('b', 2, 'PROCESSED', 0, 3, 2),
      change('c', 2, 'PROCESSED', 1, 1, 3),
    ];
    expect(arrange(changes, orders, new Map()).map((message) => message.change.orderId)).toEqual(['c']);
  });

  it('shows each change with its order as it stood right after it, though the order has moved on', () => {
    const retried = order('r', [
      { version: 2, status: 'FAILED', second: 1 },
      { version: 3, status: 'PENDING', second: 5 },
      { version: 4, status: 'PROCESSED', second: 6 },
    ]);
    const changes = [
      change('r', 2, 'FAILED', 2, 1, 1),
      change('r', 3, 'PENDING', 2, 4, 5, 'FAILED'),
      change('r', 4, 'PROCESSED', 2, 5, 6),
    ];
    const arranged = arrange(changes, new Map([['r', retried]]), new Map());
    expect(arranged.map(({ order: snapshot }) => [snapshot.version, snapshot.status, snapshot.attempts])).toEqual([
      [2, 'FAILED', 1],
      [3, 'PENDING', 1],
      [4, 'PROCESSED', 2],
    ]);
    expect(arranged[0]!.order).toMatchObject({ failedAt: at(1).toISOString(), processedAt: null, error: 'declined' });
    expect(arranged[0]!.order.history).toHaveLength(2);
    expect(arranged[2]!.order).toBe(retried);
  });
});
