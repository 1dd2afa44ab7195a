import { describe, expect, it } from 'vitest';
import { decide } from '../deciding/decide.ts';
import { deadLetterReason, decisionReason } from './reasons.ts';

const order = { sku: 'sku-1', quantity: 2 };

describe('the reason label of a decision', () => {
  it('is none for an order the rules processed', () => {
    const decision = decide(order, { stock: 5 }, { status: 'authorized' });
    expect(decisionReason(decision.error)).toBe('none');
  });

  it('names each failure the rules can decide', () => {
    const rules = { status: 'authorized' } as const;
    expect(decisionReason(decide(order, { stock: 1 }, rules).error)).toBe('out_of_stock');
    expect(decisionReason(decide(order, null, rules).error)).toBe('unknown_product');
    const declined = decide(order, { stock: 5 }, { status: 'declined', declineCode: 'card_declined' });
    expect(decisionReason(declined.error)).toBe('payment_declined');
  });

  it('is other for a text it does not know, never the text itself', () => {
    expect(decisionReason('order ord_123 of cus_0001 refused')).toBe('other');
  });
});

describe('the reason label of a dead letter', () => {
  it('tells an unknown order from a message that cannot be read', () => {
    expect(deadLetterReason('unknown order')).toBe('unknown_order');
    expect(deadLetterReason('not JSON: Unexpected token')).toBe('unreadable');
  });
});
