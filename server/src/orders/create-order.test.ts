import type { Logger } from '@orders/core';
import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  MAX_QUANTITY,
  newOrderNumber,
  orderIdFor,
  publishOrLeaveToRelay,
  validateCreateOrder,
} from './create-order.ts';
import type { OrderPublisher } from './publish-order.ts';

type Order = Parameters<OrderPublisher['sendOrderCreated']>[0];

const valid = { customerId: 'c1', sku: 'SKU-1', quantity: 2 };

/** The error a call throws, for its code and field. */
function refusal(call: () => unknown): { code: unknown; field: unknown; message: string } {
  try {
    call();
  } catch (error) {
    const { extensions, message } = error as GraphQLError;
    return { code: extensions.code, field: extensions.field, message };
  }
  throw new Error('expected the call to throw');
}

describe('validateCreateOrder', () => {
  it('takes a valid order, its text trimmed', () => {
    expect(validateCreateOrder({ ...valid, customerId: '  c1 ', idempotencyKey: 'k' })).toEqual({
      ...valid,
      idempotencyKey: 'k',
    });
  });

  it.each([
    [{ ...valid, customerId: '   ' }, 'customerId', 'customerId must not be empty'],
    [{ ...valid, sku: 'x'.repeat(65) }, 'sku', 'sku is too long'],
    [{ ...valid, quantity: 0 }, 'quantity', 'quantity must be at least 1'],
    [{ ...valid, quantity: 1.5 }, 'quantity', 'quantity must be a whole number'],
    [{ ...valid, quantity: MAX_QUANTITY + 1 }, 'quantity', `quantity must be at most ${MAX_QUANTITY}`],
    [{ ...valid, idempotencyKey: '' }, 'idempotencyKey', 'idempotencyKey must not be empty'],
  ])('refuses %o as BAD_USER_INPUT naming the field at fault', (input, field, message) => {
    expect(refusal(() => validateCreateOrder(input))).toEqual({ code: 'BAD_USER_INPUT', field, message });
  });
});

describe('orderIdFor', () => {
  it('gives the same id to the same customer and idempotency key, so a repeated request finds its order', () => {
    expect(orderIdFor('c1', 'key-1')).toBe(orderIdFor('c1', 'key-1'));
    expect(orderIdFor('c1', 'key-1')).toMatch(/^[0-9a-f]{24}$/);
  });

  it('gives different customers using the same key different orders', () => {
    expect(orderIdFor('c1', 'key-1')).not.toBe(orderIdFor('c2', 'key-1'));
  });

  it('gives a new id each time when there is no key', () => {
    expect(orderIdFor('c1', null)).not.toBe(orderIdFor('c1', null));
    expect(orderIdFor('c1', undefined)).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('newOrderNumber', () => {
  it('reads ORD-YYMMDD- and six characters that cannot be mistaken over the phone (no 0, O, 1, I)', () => {
    const number = newOrderNumber(new Date('2026-03-09T23:59:00.000Z'));
    expect(number).toMatch(/^ORD-260309-[2-9A-HJ-NP-Z]{6}$/);
  });
});

describe('publishOrLeaveToRelay', () => {
  const order = { _id: 'o1' } as Order;
  const warnings: string[] = [];
  const log = { warn: (message: string) => void warnings.push(message) } as unknown as Logger;

  it('says the order reached Kafka when the publisher took it', async () => {
    const published: string[] = [];
    const publisher = { sendOrderCreated: async (o: Order) => void published.push(o._id) } as OrderPublisher;
    expect(await publishOrLeaveToRelay({ publisher }, order, log)).toBe(true);
    expect(published).toEqual(['o1']);
  });

  it('does not fail the request when the broker is away: it leaves the order to the outbox relay', async () => {
    const publisher = {
      sendOrderCreated: async () => {
        throw new Error('broker unreachable');
      },
    } as unknown as OrderPublisher;
    expect(await publishOrLeaveToRelay({ publisher }, order, log)).toBe(false);
    expect(warnings).toEqual(['order stored but not yet published; the outbox relay will retry']);
  });
});
