/** The status machine, checked with generated input (fast-check): the real rules, run, and the real applyChange. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  RETRIED_STATUS,
  RETRYABLE_STATUSES,
  IllegalTransitionError,
  assertTransition,
  awaitsDecision,
  canTransition,
  changeId,
  isDecision,
  mayRetry,
} from './status.ts';
import { applyChange } from './order/change.ts';
import { newOrderDocument, type Order } from './order/order.ts';

const aStatus = fc.constantFrom(...ORDER_STATUSES);

describe('the order status machine', () => {
  it('lets PENDING end as PROCESSED or FAILED, and only FAILED go back to PENDING', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(['FAILED→PENDING', 'PENDING→FAILED', 'PENDING→PROCESSED']);
  });

  it('refuses exactly the changes it does not allow, with an error that names both statuses', () => {
    fc.assert(
      fc.property(aStatus, aStatus, (from, to) => {
        if (canTransition(from, to)) {
          expect(() => assertTransition(from, to)).not.toThrow();
        } else {
          const error = (() => {
            try {
              assertTransition(from, to);
            } catch (thrown) {
              return thrown;
            }
          })();
          expect(error).toBeInstanceOf(IllegalTransitionError);
          expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', from, to });
          expect((error as Error).message).toBe(`an order cannot go from ${from} to ${to}`);
        }
      }),
    );
  });

  it('never lets an order stay where it is: every change moves it to another status', () => {
    fc.assert(
      fc.property(aStatus, (status) => {
        expect(canTransition(status, status)).toBe(false);
      }),
    );
  });

  it('counts as a decision (an attempt) exactly a change out of a status the processor decides', () => {
    fc.assert(
      fc.property(aStatus, aStatus, (from, to) => {
        expect(isDecision(from, to)).toBe(awaitsDecision(from) && canTransition(from, to));
      }),
    );
    expect(ORDER_STATUSES.filter(awaitsDecision)).toEqual(['PENDING']);
  });

  it('lets an order be retried exactly from the statuses that may go back to the retried status', () => {
    fc.assert(
      fc.property(aStatus, (status) => {
        expect(mayRetry(status)).toBe(canTransition(status, RETRIED_STATUS));
        expect(RETRYABLE_STATUSES.includes(status)).toBe(mayRetry(status));
      }),
    );
    expect(RETRYABLE_STATUSES).toEqual(['FAILED']);
    expect(awaitsDecision(RETRIED_STATUS)).toBe(true);
  });

  it('reaches every status from a new order, so none is dead code', () => {
    const reached = new Set(['PENDING'] as string[]);
    for (let grown = true; grown;) {
      grown = false;
      for (const from of [...reached]) {
        for (const to of ORDER_STATUSES.filter((status) => canTransition(from as never, status))) {
          if (!reached.has(to)) grown = reached.add(to) !== undefined;
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('never lets a duplicated, reordered or redelivered stream of changes make an illegal transition or lower the version', () => {
    const { idempotencyKey: _, ...created } = newOrderDocument({
      _id: 'order-1',
      orderNumber: 'ORD-261124-AAAAAA',
      customerId: 'cus_0001',
      sku: 'SKU-0001',
      quantity: 1,
      total: 10,
      idempotencyKey: null,
      createdAt: new Date(Date.UTC(2026, 10, 24)),
    });
    // Any change a writer might send: for any version, to any status, in any order, any number of times.
    const change = fc.record({ version: fc.integer({ min: 1, max: 8 }), status: aStatus });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        let order: Order = created;
        for (const next of changes) {
          const entry = { ...next, previousStatus: order.status, at: new Date(), error: null };
          let after: Order;
          try {
            after = applyChange(order, entry);
          } catch (error) {
            expect(error).toBeInstanceOf(IllegalTransitionError);
            expect(next.version === order.version + 1 && !canTransition(order.status, next.status)).toBe(true);
            continue;
          }
          if (after === order) expect(next.version).not.toBe(order.version + 1);
          else expect(after.version).toBe(order.version + 1);
          order = after;
        }
        for (const [i, entry] of order.history.slice(1).entries()) {
          const before = order.history[i]!;
          expect(canTransition(before.status, entry.status)).toBe(true);
          expect(entry.version).toBe(before.version + 1);
        }
        expect(order.history).toHaveLength(order.version);
      }),
      { numRuns: 500 },
    );
  });

  it('names each change of an order by its version, distinct for distinct versions', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), fc.nat(), (orderId, a, b) => {
        expect(changeId(orderId, a) === changeId(orderId, b)).toBe(a === b);
      }),
    );
  });
});
