import { describe, expect, it } from 'vitest';
import type { PaymentAnswer } from './decide.ts';
import type { PayableOrder } from '../payments/authorization.ts';
import { decidablePrefix, PaymentWindow, settledOrAfter, type Ask, type Step } from './payment-window.ts';

/** A payment service whose answers the test gives, one call at a time. */
function service() {
  const calls: { order: PayableOrder; answer: (value: PaymentAnswer) => void; fail: (reason: Error) => void }[] = [];
  const authorize = (order: PayableOrder) =>
    new Promise<PaymentAnswer>((answer, fail) => calls.push({ order, answer, fail }));
  return { calls, authorize };
}

const order = (id: string, version = 1): PayableOrder => ({ _id: id, customerId: 'cus_0001', total: 10, version });
const at = (offset: number) => ({ partition: 0, offset: String(offset) });
const turn = () => new Promise((resolve) => setImmediate(resolve));
const authorized: PaymentAnswer = { status: 'authorized' };
const declined: PaymentAnswer = { status: 'declined', declineCode: 'card_declined' };

/** An ask already answered (or failed), for the prefix. */
const settledAsk = (key: string, settled: PromiseSettledResult<PaymentAnswer>): Ask => ({
  key,
  answer: settled.status === 'fulfilled' ? Promise.resolve(settled.value) : new Promise(() => {}),
  settled,
});
const reserved = (sku: string, ask: Ask | undefined): Step => ({ kind: 'reserved', sku, ask });
const answered = (sku: string, value: PaymentAnswer) =>
  reserved(sku, settledAsk(`${sku}:${value.status}`, { status: 'fulfilled', value }));
const pending = (sku: string) => reserved(sku, { key: `${sku}:pending`, answer: new Promise(() => {}) });

describe('the payment window', () => {
  it('asks each order once, under its idempotency key, however many runs ask for it', async () => {
    const payments = service();
    const window = new PaymentWindow({ limit: 4, authorize: payments.authorize });
    const first = window.ask(at(10), order('o1'));
    const again = window.ask(at(10), order('o1'));
    expect(again).toBe(first);
    expect(first?.key).toBe('o1:1');
    expect(payments.calls).toHaveLength(1);
    // A retried order (a new version) is a new decision: a new ask.
    window.ask(at(11), order('o1', 2));
    expect(payments.calls).toHaveLength(2);
  });

  it('holds at most its limit per partition, and makes room as the decisions below an offset are made', () => {
    const payments = service();
    const window = new PaymentWindow({ limit: 2, authorize: payments.authorize });
    expect(window.ask(at(1), order('a'))).toBeDefined();
    expect(window.ask(at(2), order('b'))).toBeDefined();
    expect(window.ask(at(3), order('c'))).toBeUndefined();
    // Another partition has a window of its own.
    expect(window.ask({ partition: 1, offset: '3' }, order('d'))).toBeDefined();
    window.forgetBelow(0, 2n);
    expect(window.sizeOf(0)).toBe(1);
    expect(window.ask(at(3), order('c'))).toBeDefined();
    expect(payments.calls.map((call) => call.order._id)).toEqual(['a', 'b', 'd', 'c']);
    window.clear();
    expect(window.sizeOf(0) + window.sizeOf(1)).toBe(0);
  });

  it('records each answer, and a failure, on its ask', async () => {
    const payments = service();
    const window = new PaymentWindow({ limit: 4, authorize: payments.authorize });
    const good = window.ask(at(1), order('a'))!;
    const bad = window.ask(at(2), order('b'))!;
    expect(good.settled).toBeUndefined();
    payments.calls[0]!.answer(authorized);
    payments.calls[1]!.fail(new Error('payment service unavailable'));
    await turn();
    expect(good.settled).toEqual({ status: 'fulfilled', value: authorized });
    expect(bad.settled?.status).toBe('rejected');
    // A failed ask is forgotten so that the next run asks again.
    window.forget(0, bad.key);
    expect(window.ask(at(2), order('b'))).not.toBe(bad);
    expect(payments.calls).toHaveLength(3);
  });

  it('waits for every answer, or no longer than it is told', async () => {
    const payments = service();
    const window = new PaymentWindow({ limit: 4, authorize: payments.authorize });
    const asks = [window.ask(at(1), order('a')), window.ask(at(2), order('b')), undefined];
    const started = performance.now();
    await settledOrAfter(asks, 30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(asks[0]!.settled).toBeUndefined();
    const waiting = settledOrAfter(asks, 60_000);
    payments.calls[0]!.answer(authorized);
    payments.calls[1]!.answer(declined);
    await waiting;
    expect(asks.map((ask) => ask?.settled?.status)).toEqual(['fulfilled', 'fulfilled', undefined]);
  });
});

describe('the decisions a run can write', () => {
  it('ends before the first order whose payment has not answered, however many after it have', () => {
    const steps = [answered('SKU-1', authorized), pending('SKU-2'), answered('SKU-3', authorized)];
    expect(decidablePrefix(steps)).toEqual({ length: 1, waiting: 'answer' });
  });

  it('ends before an order the window had no room for', () => {
    expect(decidablePrefix([answered('SKU-1', authorized), reserved('SKU-2', undefined)])).toEqual({
      length: 1,
      waiting: 'room',
    });
  });

  it('takes every order when all have answered, refusals of the stock included', () => {
    const steps: Step[] = [
      answered('SKU-1', declined),
      { kind: 'refused', sku: 'SKU-2', behindHolds: false },
      answered('SKU-2', authorized),
    ];
    expect(decidablePrefix(steps)).toEqual({ length: 3, waiting: false });
  });

  it('keeps a product’s order: a refusal caused only by the hold of an order that was then declined waits', () => {
    // SKU-1 had one unit: the first order held it, the second was refused behind that hold, and the first
    // was declined. Deciding one after another would have given the second order the unit.
    const steps: Step[] = [answered('SKU-1', declined), { kind: 'refused', sku: 'SKU-1', behindHolds: true }];
    expect(decidablePrefix(steps)).toEqual({ length: 1, waiting: false });
    // Behind an authorized hold the refusal stands: the unit is really gone.
    const held: Step[] = [answered('SKU-1', authorized), { kind: 'refused', sku: 'SKU-1', behindHolds: true }];
    expect(decidablePrefix(held)).toEqual({ length: 2, waiting: false });
  });

  it('ends before a payment that failed, and says why', () => {
    const reason = new Error('breaker open');
    const steps = [answered('SKU-1', authorized), reserved('SKU-2', settledAsk('k2', { status: 'rejected', reason }))];
    expect(decidablePrefix(steps)).toEqual({ length: 1, waiting: false, failure: { key: 'k2', reason } });
  });
});
