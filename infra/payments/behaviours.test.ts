import { describe, expect, it } from 'vitest';
import { AMOUNT_LIMIT_MINOR, behaviourFor } from './behaviours.ts';

const plain = { customerId: 'cus_0001', amountMinor: 12_00 };

describe('test behaviours chosen by data', () => {
  it('authorizes an ordinary customer and amount', () => {
    expect(behaviourFor(plain, [])).toEqual({ kind: 'authorize' });
  });

  it('declines the test customers with the code their id names', () => {
    expect(behaviourFor({ ...plain, customerId: 'cus_decline_1' }, [])).toEqual({
      kind: 'decline',
      code: 'card_declined',
    });
    expect(behaviourFor({ ...plain, customerId: 'cus_nofunds_x' }, [])).toEqual({
      kind: 'decline',
      code: 'insufficient_funds',
    });
  });

  it('declines the catalogue customers the configuration names, and only those', () => {
    expect(behaviourFor(plain, ['cus_0001'])).toEqual({ kind: 'decline', code: 'card_declined' });
    expect(behaviourFor(plain, ['cus_0002'])).toEqual({ kind: 'authorize' });
  });

  it('declines amounts over the limit, and no other amount', () => {
    expect(behaviourFor({ ...plain, amountMinor: 12_51 }, [])).toEqual({ kind: 'authorize' });
    expect(behaviourFor({ ...plain, amountMinor: AMOUNT_LIMIT_MINOR + 100 }, [])).toEqual({
      kind: 'decline',
      code: 'amount_too_large',
    });
    expect(behaviourFor({ ...plain, amountMinor: AMOUNT_LIMIT_MINOR }, [])).toEqual({ kind: 'authorize' });
  });

  it('hangs for cus_timeout and fails for cus_error, before any decline rule', () => {
    expect(behaviourFor({ customerId: 'cus_timeout', amountMinor: 200_000_000 }, [])).toEqual({ kind: 'hang' });
    expect(behaviourFor({ customerId: 'cus_error_2', amountMinor: 200_000_000 }, [])).toEqual({ kind: 'fail' });
  });
});
