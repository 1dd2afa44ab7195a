import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, ORDER_STATUSES, type OrderStatus } from '@orders/core';
import type { Models } from '@orders/core';
import { OrderReadModel, type ListRequest, type Position } from './read-model.ts';
import type { OrderShape } from './shape.ts';

const models = {} as Models; // never read: these tests apply orders by hand
const logger = createLogger('read-model-test', 'silent');

function order(id: string, fields: Partial<OrderShape> = {}): OrderShape {
  const createdAt = fields.createdAt ?? new Date('2026-01-01T00:00:00Z');
  return {
    _id: id,
    orderNumber: `ORD-${id}`,
    customerId: 'cus_0001',
    sku: 'SKU-0001',
    quantity: 1,
    total: 1,
    status: 'PENDING',
    version: 1,
    attempts: 0,
    error: null,
    createdAt,
    processedAt: null,
    failedAt: null,
    updatedAt: createdAt,
    history: [],
    ...fields,
  };
}

const position = (o: OrderShape): Position => ({ at: o.createdAt.getTime(), id: o._id });
const newestFirst = (a: OrderShape, b: OrderShape) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);

describe('OrderReadModel', () => {
  it('keeps the latest version of an order, whatever order its updates arrive in', () => {
    const model = new OrderReadModel(models, logger);
    model.apply(order('a', { status: 'PROCESSED', version: 2 }));
    model.apply(order('a', { status: 'PENDING', version: 1 }));
    expect(model.get('a')?.status).toBe('PROCESSED');
    expect(model.count({ statuses: ['PENDING'] })).toBe(0);
    expect(model.count({ statuses: ['PROCESSED'] })).toBe(1);
  });

  it('moves an order between counts and per-minute series as its status changes, a retry included', () => {
    const model = new OrderReadModel(models, logger);
    const at = new Date('2026-01-01T10:00:30Z');
    const later = new Date('2026-01-01T10:01:10Z');
    model.apply(order('a', { createdAt: at }));
    model.apply(order('a', { createdAt: at, status: 'FAILED', version: 2, failedAt: later }));
    let minutes = model.perMinute(later, 2);
    expect(minutes.map((m) => [m.created, m.processed, m.failed])).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    // Retried: back to PENDING, the failure no longer counts.
    model.apply(order('a', { createdAt: at, status: 'PENDING', version: 3 }));
    minutes = model.perMinute(later, 2);
    expect(minutes.map((m) => m.failed)).toEqual([0, 0]);
    expect(model.statusCounts()).toEqual({ PENDING: 1, PROCESSED: 0, FAILED: 0 });
    expect(model.count({ customerId: 'cus_0001', statuses: ['PENDING'] })).toBe(1);
    expect(model.count({ customerId: 'cus_0002' })).toBe(0);
  });

  it('finds the PENDING orders unchanged since a cutoff, oldest first, up to a limit', () => {
    const model = new OrderReadModel(models, logger);
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    model.apply(order('old', { createdAt: at(1) }));
    model.apply(order('older', { createdAt: at(0) }));
    model.apply(order('done', { createdAt: at(2), status: 'PROCESSED', version: 2 }));
    model.apply(order('fresh', { createdAt: at(30) }));
    expect(model.pendingSince(at(10), 10).map((o) => o._id)).toEqual(['older', 'old']);
    expect(model.pendingSince(at(10), 1).map((o) => o._id)).toEqual(['older']);
  });

  it('lists exactly what a sort and filter over every order gives, for any orders, filter and bounds', () => {
    const statusArb = fc.constantFrom<OrderStatus>(...ORDER_STATUSES);
    const orderArb = fc.record({
      at: fc.integer({ min: 0, max: 20 }), // few distinct times: many ties, broken by id
      status: statusArb,
      customer: fc.constantFrom('cus_1', 'cus_2', 'cus_3'),
    });
    fc.assert(
      fc.property(
        fc.array(orderArb, { maxLength: 60 }),
        fc.record({
          statuses: fc.subarray([...ORDER_STATUSES]),
          customerId: fc.option(fc.constantFrom('cus_1', 'cus_2'), { nil: undefined }),
          limit: fc.integer({ min: 0, max: 10 }),
          backwards: fc.boolean(),
          olderIndex: fc.option(fc.nat(), { nil: undefined }),
          newerIndex: fc.option(fc.nat(), { nil: undefined }),
        }),
        (specs, query) => {
          const model = new OrderReadModel(models, logger);
          const orders = specs.map((spec, i) =>
            order(`o${String(i).padStart(3, '0')}`, {
              createdAt: new Date(spec.at),
              status: spec.status,
              customerId: spec.customer,
            }),
          );
          // Applied in an order unrelated to their creation times.
          for (const o of [...orders].reverse()) model.apply(o);
          const pick = (index: number | undefined) =>
            index === undefined || orders.length === 0 ? undefined : position(orders[index % orders.length]!);
          const request: ListRequest = {
            statuses: query.statuses,
            customerId: query.customerId,
            limit: query.limit,
            backwards: query.backwards,
            olderThan: pick(query.olderIndex),
            newerThan: pick(query.newerIndex),
          };

          const before = (a: Position, b: Position) => a.at < b.at || (a.at === b.at && a.id < b.id);
          const expected = [...orders]
            .filter((o) => request.statuses!.length === 0 || request.statuses!.includes(o.status))
            .filter((o) => !request.customerId || o.customerId === request.customerId)
            .filter((o) => !request.olderThan || before(position(o), request.olderThan))
            .filter((o) => !request.newerThan || before(request.newerThan, position(o)))
            .sort(newestFirst);
          const wanted = request.limit + 1;
          const page = request.backwards ? expected.reverse().slice(0, wanted) : expected.slice(0, wanted);
          expect(model.list(request).map((o) => o._id)).toEqual(page.map((o) => o._id));
          expect(model.count(request)).toBe(
            orders.filter(
              (o) =>
                (request.statuses!.length === 0 || request.statuses!.includes(o.status)) &&
                (!request.customerId || o.customerId === request.customerId),
            ).length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
