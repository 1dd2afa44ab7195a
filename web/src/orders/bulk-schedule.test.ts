import { describe, expect, it } from 'vitest';
import { checkBulkSettings, ordersDue, ordersToSend } from './bulk-schedule.ts';

describe('the bulk generator’s clock', () => {
  it('sends the first order at once', () => {
    expect(ordersDue(0, 10, 100)).toBe(1);
  });

  it('keeps to the rate: at 10 per second, 11 are due after one second', () => {
    expect(ordersDue(1000, 10, 100)).toBe(11);
  });

  it('never sends more than asked', () => {
    expect(ordersDue(60_000, 50, 20)).toBe(20);
  });

  it('sends what is due, but never more than the in-flight bound allows', () => {
    expect(ordersToSend(10, 4, 0, 16)).toBe(6);
    expect(ordersToSend(100, 4, 10, 16)).toBe(6);
    expect(ordersToSend(100, 40, 16, 16)).toBe(0);
  });

  it('refuses a count or a rate it cannot keep, with a message for each', () => {
    const checked = checkBulkSettings('0', '1000');
    expect(checked.settings).toBeNull();
    expect(checked.count).toMatch(/1 to 10000/);
    expect(checked.rate).toMatch(/per second/);
    expect(checkBulkSettings('100', '2.5').settings).toEqual({ count: 100, rate: 2.5 });
  });
});
