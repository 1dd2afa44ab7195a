/**
 * The order module's rule for changes, checked with generated histories (fast-check): each history a
 * walk through the real status machine from a new order, run through the real `applyChange`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, IllegalTransitionError, canTransition, isDecision, type OrderStatus } from '../status.ts';
import { applyChange, applyChanges, historyEntryOf, orderAsOf, orderUpdateFor, statusChangedEvent } from './change.ts';
import { newOrderDocument, orderFromWire, orderToWire, type HistoryEntry, type Order } from './order.ts';

const START = Date.UTC(2026, 10, 24, 12);

function aNewOrder(): Order {
  const { idempotencyKey: _, ...order } = newOrderDocument({
    _id: 'order-1',
    orderNumber: 'ORD-261124-AAAAAA',
    customerId: 'cus_0001',
    sku: 'SKU-0001',
    quantity: 2,
    total: 20,
    idempotencyKey: null,
    createdAt: new Date(START),
  });
  return order;
}

/** The changes of one order's life from version 2 on: each a transition the machine allows, a second apart. */
const validChanges = fc.array(fc.nat({ max: 1000 }), { maxLength: 12 }).map((rolls) => {
  const changes: HistoryEntry[] = [];
  let status: OrderStatus = 'PENDING';
  for (const roll of rolls) {
    const next = ORDER_STATUSES.filter((to) => canTransition(status, to));
    const to = next[roll % Math.max(next.length, 1)];
    if (to === undefined) break;
    const version = changes.length + 2;
    const error = to === 'FAILED' ? `declined at ${version}` : null;
    changes.push({ version, previousStatus: status, status: to, at: new Date(START + version * 1000), error });
    status = to;
  }
  return changes;
});

/** A history and the same changes as a redelivering transport hands them over: shuffled, some several times. */
const redelivered = validChanges.chain((changes) =>
  (changes.length === 0
    ? fc.constant<HistoryEntry[]>([])
    : fc
        .array(fc.constantFrom(...changes), { maxLength: 2 * changes.length })
        .chain((extra) => fc.shuffledSubarray([...changes, ...extra], { minLength: changes.length + extra.length }))
  ).map((delivered) => ({ changes, delivered })),
);

const inVersionOrder = (changes: readonly HistoryEntry[]) => changes.reduce<Order>(applyChange, aNewOrder());

describe('applying a change to an order', () => {
  it('gives the same order however the changes are redelivered, reordered or duplicated', () => {
    fc.assert(
      fc.property(redelivered, ({ changes, delivered }) => {
        expect(applyChanges(aNewOrder(), delivered)).toEqual(inVersionOrder(changes));
      }),
      { numRuns: 300 },
    );
  });

  it('raises the version by one per change and keeps every change in the history, in order', () => {
    fc.assert(
      fc.property(validChanges, (changes) => {
        const order = inVersionOrder(changes);
        expect(order.version).toBe(1 + changes.length);
        expect(order.history.slice(1)).toEqual(changes);
        expect(order.status).toBe(changes.at(-1)?.status ?? 'PENDING');
      }),
    );
  });

  it('counts one attempt per decision of the processor, and none for a retry', () => {
    fc.assert(
      fc.property(validChanges, (changes) => {
        const decisions = changes.filter((change) => isDecision(change.previousStatus!, change.status));
        expect(inVersionOrder(changes).attempts).toBe(decisions.length);
        expect(decisions.every((change) => change.previousStatus === 'PENDING')).toBe(true);
      }),
    );
  });

  it('stamps the time of the last decision on its own field and clears the other', () => {
    fc.assert(
      fc.property(validChanges, (changes) => {
        const order = inVersionOrder(changes);
        const last = changes.at(-1);
        expect(order.updatedAt).toEqual(last?.at ?? order.createdAt);
        expect(order.processedAt).toEqual(last?.status === 'PROCESSED' ? last.at : null);
        expect(order.failedAt).toEqual(last?.status === 'FAILED' ? last.at : null);
        expect(order.error).toBe(last?.error ?? null);
      }),
    );
  });

  it('leaves the order as it is for a change that is not its next, and refuses one the machine forbids', () => {
    const order = aNewOrder();
    const at = new Date(START + 5000);
    expect(applyChange(order, { version: 3, previousStatus: 'PENDING', status: 'PROCESSED', at, error: null })).toBe(
      order,
    );
    expect(() =>
      applyChange(order, { version: 2, previousStatus: 'PENDING', status: 'PENDING', at, error: null }),
    ).toThrow(IllegalTransitionError);
  });

  it('rebuilds any past version from the history as applying the changes up to it made it', () => {
    fc.assert(
      fc.property(
        validChanges.chain((changes) => fc.tuple(fc.constant(changes), fc.nat({ max: changes.length }))),
        ([changes, upTo]) => {
          const now = inVersionOrder(changes);
          expect(orderAsOf(now, 1 + upTo)).toEqual(inVersionOrder(changes.slice(0, upTo)));
        },
      ),
    );
  });

  it('writes to MongoDB exactly the fields the change set, and the one history entry it added', () => {
    fc.assert(
      fc.property(
        validChanges.filter((changes) => changes.length > 0),
        (changes) => {
          const before = inVersionOrder(changes.slice(0, -1));
          const update = orderUpdateFor(before, changes.at(-1)!);
          expect(update).not.toBeNull();
          expect(orderUpdateFor(update!.order, changes.at(-1)!)).toBeNull();
          expect({ ...before, ...update!.$set, history: [...before.history, update!.$push.history] }).toEqual(
            update!.order,
          );
          expect(update!.order).toEqual(inVersionOrder(changes));
        },
      ),
    );
  });

  it('carries an order and a change over the wire and back unchanged', () => {
    fc.assert(
      fc.property(validChanges, (changes) => {
        const order = inVersionOrder(changes);
        expect(orderFromWire(JSON.parse(JSON.stringify(orderToWire(order))) as never)).toEqual(order);
        for (const change of changes) {
          const event = statusChangedEvent({ ...change, _id: `order-1:${change.version}`, orderId: 'order-1' });
          expect(historyEntryOf(event)).toEqual(change);
        }
      }),
    );
  });
});
