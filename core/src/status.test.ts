/** The status machine, checked with generated sequences of changes (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, assertTransition, canTransition, changeId, isFinal, type OrderStatus } from './status.ts';

describe('the order status machine', () => {
  it('lets PENDING end as PROCESSED or FAILED, and only FAILED go back to PENDING', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(['FAILED→PENDING', 'PENDING→FAILED', 'PENDING→PROCESSED']);
  });

  it('refuses an illegal change with a message that names both statuses', () => {
    expect(() => assertTransition('PROCESSED', 'PENDING')).toThrow('an order cannot go from PROCESSED to PENDING');
  });

  it('never lets a duplicated, reordered or redelivered stream of changes make an illegal transition or lower the version', () => {
    // A change is (version it applies to, new status). Applying follows the rule the
    // processor uses: only a change for the order's current version, and only a legal one.
    const change = fc.record({ version: fc.integer({ min: 1, max: 6 }), status: fc.constantFrom(...ORDER_STATUSES) });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        let order: { status: OrderStatus; version: number } = { status: 'PENDING', version: 1 };
        const claimed = new Set<string>();
        for (const next of changes) {
          const id = changeId('order', next.version + 1);
          if (next.version !== order.version || claimed.has(id) || !canTransition(order.status, next.status)) continue;
          claimed.add(id);
          const before = order;
          order = { status: next.status, version: order.version + 1 };
          expect(canTransition(before.status, order.status)).toBe(true);
          expect(order.version).toBe(before.version + 1);
        }
        // A final status stays final unless it is FAILED (which may be retried).
        if (isFinal(order.status)) expect(['PROCESSED', 'FAILED']).toContain(order.status);
        expect(claimed.size).toBe(order.version - 1);
      }),
      { numRuns: 500 },
    );
  });
});
