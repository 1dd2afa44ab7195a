import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, reserve, settle } from './decide.ts';

const order = { sku: 'SKU-0001', quantity: 3 };
const never = { status: 'authorized' } as const;
const always = { status: 'declined', declineCode: 'card_declined' } as const;

describe('deciding an order', () => {
  it('processes an order that the stock covers and reserves its quantity', () => {
    expect(decide(order, { stock: 10 }, never)).toEqual({ status: 'PROCESSED', error: null, stockAfter: 7 });
  });

  it('processes an order that takes the last units, leaving the stock at zero', () => {
    expect(decide(order, { stock: 3 }, never)).toEqual({ status: 'PROCESSED', error: null, stockAfter: 0 });
  });

  it('fails an order the stock cannot cover, saying how much is left and how much was asked', () => {
    expect(decide(order, { stock: 2 }, never)).toEqual({
      status: 'FAILED',
      error: 'out of stock: SKU-0001 has 2 left, 3 requested',
      stockAfter: null,
    });
  });

  it('refuses an order the stock cannot cover before any payment, so an unserved order is never charged', () => {
    expect(reserve(order, { stock: 0 })).toEqual({
      kind: 'refused',
      decision: { status: 'FAILED', error: 'out of stock: SKU-0001 has 0 left, 3 requested', stockAfter: null },
    });
    expect(reserve(order, null).kind).toBe('refused');
    expect(reserve(order, { stock: 3 })).toEqual({ kind: 'reserved', stockAfter: 0 });
  });

  it('fails an order whose payment is declined with the decline code, and releases what it reserved', () => {
    expect(decide(order, { stock: 10 }, always)).toEqual({
      status: 'FAILED',
      error: 'payment declined: card_declined',
      stockAfter: null,
    });
    expect(settle({ stockAfter: 7 }, { status: 'declined', declineCode: 'insufficient_funds' }).error).toBe(
      'payment declined: insufficient_funds',
    );
  });

  it('processes an authorized order with the stock its reservation left', () => {
    expect(settle({ stockAfter: 7 }, never)).toEqual({ status: 'PROCESSED', error: null, stockAfter: 7 });
  });

  it('fails an order whose product does not exist', () => {
    expect(decide(order, null, never)).toEqual({
      status: 'FAILED',
      error: 'unknown product: SKU-0001',
      stockAfter: null,
    });
  });

  it('never leaves the stock negative, and reserves exactly the quantity when it processes', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        (stock, quantity, declined) => {
          const decision = decide({ sku: 'S', quantity }, { stock }, declined ? always : never);
          if (decision.status === 'PROCESSED') {
            expect(decision.stockAfter).toBe(stock - quantity);
            expect(decision.stockAfter).toBeGreaterThanOrEqual(0);
          } else {
            expect(decision.stockAfter).toBeNull();
            expect(decision.error).not.toBe('');
          }
        },
      ),
    );
  });
});

describe('stock under redelivery (property)', () => {
  it('never goes below zero nor reserves an order twice, however its messages are duplicated or reordered', () => {
    // Messages for one product's orders, some delivered more than once and out of order, as Kafka
    // redelivers after a crash. The processor decides an order only while it is PENDING at the
    // message's version, and claims the decision once (the claim's unique id); stock follows the claims.
    const orderArb = fc.record({ quantity: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(
        fc.array(orderArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (orders, initialStock, redeliveries, declines) => {
          const deliveries = [...orders.keys(), ...redeliveries.map((n) => n % orders.length)];
          // Reordered: a redelivery may come before the first delivery of later orders.
          deliveries.sort((a, b) => ((a * 7919 + b) % 3) - 1);
          let stock = initialStock;
          const claims = new Map<number, ReturnType<typeof decide>>();
          for (const index of deliveries) {
            if (claims.has(index)) continue; // claimed before: the decision that stands is the first
            const payment = declines[index] === true ? always : never;
            const decision = decide({ sku: 'SKU-1', quantity: orders[index]!.quantity }, { stock }, payment);
            claims.set(index, decision);
            if (decision.stockAfter !== null) stock = decision.stockAfter;
            expect(stock).toBeGreaterThanOrEqual(0);
          }
          const reserved = [...claims].reduce(
            (sum, [index, decision]) => sum + (decision.status === 'PROCESSED' ? orders[index]!.quantity : 0),
            0,
          );
          expect(claims.size).toBe(orders.length);
          expect(stock).toBe(initialStock - reserved);
        },
      ),
      { numRuns: 500 },
    );
  });
});
