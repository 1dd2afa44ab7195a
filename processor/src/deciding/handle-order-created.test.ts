/**
 * The core of handling one `orders.created` message, without servers: how an event stands against its
 * order, which decision is left to announce, and what a decision does to its order, run through the
 * real rules (`decide`), the real status machine and the order module's `applyChange` (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IllegalTransitionError,
  applyChange,
  newOrder,
  orderCreatedEvent,
  type Order,
  type OrderStatus,
} from '@orders/core';
import { decide } from './decide.ts';
import { changeFor } from '../records/claim-change.ts';
import { positionOf } from '../records/sequence.ts';
import { isLeftToAnnounce, standingOf } from './handle-order-created.ts';

const createdAt = new Date(Date.UTC(2026, 10, 24, 12));

/** A new order as its first event carries it. */
function anOrder(index: number, quantity: number): Order {
  const at = createdAt.toISOString();
  const order = newOrder({
    v: 1,
    type: 'OrderCreated',
    orderId: `order-${index}`,
    version: 1,
    customerId: 'cus_0001',
    sku: 'SKU-0001',
    quantity,
    at,
    orderNumber: `ORD-261124-${index}`,
    total: quantity * 10,
    createdAt: at,
  });
  if (order === null) throw new Error('a first OrderCreated event with every field describes its order');
  return order;
}

const here = positionOf(2, '41', 'decision');
const never = { status: 'authorized' } as const;

describe('where a message stands against its order', () => {
  it('is to decide when the order waits at the event’s version for the processor', () => {
    expect(standingOf({ version: 1 }, { version: 1, status: 'PENDING' })).toBe('to decide');
    expect(standingOf({ version: 3 }, { version: 3, status: 'PENDING' })).toBe('to decide');
  });

  it('was handled before when the order has moved past the event or is decided at its version', () => {
    const statuses: OrderStatus[] = ['PROCESSED', 'FAILED'];
    for (const status of statuses) expect(standingOf({ version: 2 }, { version: 2, status })).toBe('handled');
    expect(standingOf({ version: 1 }, { version: 2, status: 'PROCESSED' })).toBe('handled');
    expect(standingOf({ version: 1 }, { version: 3, status: 'PENDING' })).toBe('handled');
  });

  it('is ahead of its order when the event names a version the order never reached', () => {
    expect(standingOf({ version: 4 }, { version: 2, status: 'FAILED' })).toBe('ahead of its order');
  });
});

describe('what a handled message has left to announce', () => {
  const order = applyChange(anOrder(1, 1), {
    version: 2,
    previousStatus: 'PENDING',
    status: 'PROCESSED',
    at: createdAt,
    error: null,
  });
  const decision = changeFor(anOrder(1, 1), decide(anOrder(1, 1), { stock: 5 }, never), createdAt, here);

  it('is the decision placed at this message, or placed nowhere yet, once it stands on the order', () => {
    expect(isLeftToAnnounce(decision, order, here)).toBe(true);
    expect(isLeftToAnnounce({ ...decision, partition: null, seq: null }, order, here)).toBe(true);
  });

  it('is nothing when no decision was made, it does not stand on the order yet, or another message announced it', () => {
    expect(isLeftToAnnounce(null, order, here)).toBe(false);
    expect(isLeftToAnnounce(decision, anOrder(1, 1), here)).toBe(false);
    expect(isLeftToAnnounce(decision, order, positionOf(2, '40', 'decision'))).toBe(false);
  });
});

describe('a decision on its order', () => {
  it('takes the order from PENDING to the decided status at the next version, placed at its message', () => {
    const order = anOrder(1, 3);
    const change = changeFor(order, decide(order, { stock: 10 }, never), createdAt, here);
    expect(change).toEqual({
      _id: 'order-1:2',
      orderId: 'order-1',
      version: 2,
      previousStatus: 'PENDING',
      status: 'PROCESSED',
      error: null,
      at: createdAt,
      stockAfter: 7,
      partition: 2,
      seq: 83,
    });
  });

  it('is refused for an order the processor has decided already', () => {
    const order = applyChange(
      anOrder(1, 3),
      changeFor(anOrder(1, 3), decide(anOrder(1, 3), null, never), createdAt, here),
    );
    expect(() => changeFor(order, decide(order, { stock: 10 }, never), createdAt, here)).toThrow(
      IllegalTransitionError,
    );
  });

  it('decides a run of orders against the stock the earlier ones left: never more than there was, one attempt each', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 50 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 20 }),
        fc.infiniteStream(fc.boolean()),
        (stock, quantities, declines) => {
          const answer = () =>
            declines.next().value === true ? { status: 'declined' as const, declineCode: 'card_declined' } : never;
          let left = stock;
          let taken = 0;
          for (const [index, quantity] of quantities.entries()) {
            const order = anOrder(index, quantity);
            const change = changeFor(order, decide(order, { stock: left }, answer()), createdAt, here);
            const decided = applyChange(order, change);
            expect(decided).toMatchObject({ version: 2, attempts: 1, status: change.status, error: change.error });
            expect(decided.history.map((entry) => entry.status)).toEqual(['PENDING', change.status]);
            if (change.stockAfter !== null) {
              expect(change.stockAfter).toBe(left - quantity);
              taken += quantity;
              left = change.stockAfter;
            }
            expect(left).toBeGreaterThanOrEqual(0);
          }
          expect(left).toBe(stock - taken);
        },
      ),
    );
  });

  it('is about the order its first event describes, field for field', () => {
    const order = anOrder(7, 2);
    expect(newOrder(orderCreatedEvent(order))).toEqual(order);
    expect(newOrder({ ...orderCreatedEvent(order), version: 2 })).toBeNull();
    expect(newOrder({ ...orderCreatedEvent(order), at: new Date(createdAt.getTime() + 1).toISOString() })).toBeNull();
  });
});
