import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, processingFailed } from './decide.ts';

const order = { sku: 'SKU-0001', quantity: 3 };
const never = { paymentFailureRate: 0, random: () => 0.5 };
const always = { paymentFailureRate: 1, random: () => 0.999 };

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

  it('checks the stock before the payment, so an unserved order never rolls the dice', () => {
    let rolled = false;
    const decision = decide(order, { stock: 0 }, { paymentFailureRate: 1, random: () => ((rolled = true), 0) });
    expect(decision.error).toMatch(/^out of stock/);
    expect(rolled).toBe(false);
  });

  it('declines the payment when the roll falls under the failure rate', () => {
    expect(decide(order, { stock: 10 }, always)).toEqual({
      status: 'FAILED',
      error: 'payment declined',
      stockAfter: null,
    });
    expect(decide(order, { stock: 10 }, { paymentFailureRate: 0.3, random: () => 0.29 }).error).toBe(
      'payment declined',
    );
    expect(decide(order, { stock: 10 }, { paymentFailureRate: 0.3, random: () => 0.3 }).status).toBe('PROCESSED');
  });

  it('never declines a payment at rate 0, even on a roll of 0', () => {
    expect(decide(order, { stock: 10 }, { paymentFailureRate: 0, random: () => 0 }).status).toBe('PROCESSED');
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
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (stock, quantity, paymentFailureRate, roll) => {
          const decision = decide({ sku: 'S', quantity }, { stock }, { paymentFailureRate, random: () => roll });
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

describe('giving up on an order', () => {
  it('fails it with the number of attempts and the last reason', () => {
    expect(processingFailed(8, 'connection refused')).toEqual({
      status: 'FAILED',
      error: 'processing failed after 8 attempts: connection refused',
      stockAfter: null,
    });
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
        fc.double({ min: 0, max: 1, noNaN: true }),
        (orders, initialStock, redeliveries, failureRate) => {
          const deliveries = [...orders.keys(), ...redeliveries.map((n) => n % orders.length)];
          // Reordered: a redelivery may come before the first delivery of later orders.
          deliveries.sort((a, b) => ((a * 7919 + b) % 3) - 1);
          let stock = initialStock;
          const claims = new Map<number, ReturnType<typeof decide>>();
          let draws = 0;
          const rules = { paymentFailureRate: failureRate, random: () => (draws++ * 0.37) % 1 };
          for (const index of deliveries) {
            if (claims.has(index)) continue; // claimed before: the decision that stands is the first
            const decision = decide({ sku: 'SKU-1', quantity: orders[index]!.quantity }, { stock }, rules);
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
