import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../gql/graphql.ts';
import {
  capRows,
  initialLiveOrders,
  isUnconfirmed,
  liveOrdersReducer,
  type LiveEvent,
  type LiveOrdersAction,
  type LiveOrdersState,
  type OrderRow,
  type OrdersPage,
} from './live-orders.ts';
import type { StatusFilter } from './status-filter.ts';

/** Order n was created n seconds after a fixed start, so a higher n is newer. */
function order(n: number, changes: Partial<OrderRow> = {}): OrderRow {
  return {
    id: `order-${String(n).padStart(3, '0')}`,
    orderNumber: `ORD-${n}`,
    quantity: 1,
    total: 10,
    status: 'PENDING',
    version: 1,
    error: null,
    createdAt: new Date(Date.UTC(2026, 10, 24, 6, 0, n)).toISOString(),
    processedAt: null,
    failedAt: null,
    customer: { id: 'cus_0001', name: 'Ada' },
    product: { sku: 'SKU-0001', name: 'Lamp' },
    ...changes,
  };
}

const decided = (n: number, status: OrderStatus, version = 2): OrderRow =>
  order(n, { status, version, ...(status === 'FAILED' ? { error: 'payment declined' } : {}) });

function page(orders: OrderRow[], more: Partial<OrdersPage> = {}): OrdersPage {
  return {
    rows: orders.map((o) => ({ order: o, cursor: `cursor-${o.id}` })),
    totalCount: orders.length,
    endCursor: orders.length > 0 ? `cursor-${orders.at(-1)!.id}` : null,
    hasMore: false,
    ...more,
  };
}

function run(state: LiveOrdersState, ...actions: LiveOrdersAction[]): LiveOrdersState {
  return actions.reduce(liveOrdersReducer, state);
}

function loaded(filter: StatusFilter, orders: OrderRow[], more: Partial<OrdersPage> = {}): LiveOrdersState {
  return run(initialLiveOrders(filter), { type: 'pageLoaded', filter, page: page(orders, more), mode: 'replace' });
}

const events = (...list: LiveEvent[]): LiveOrdersAction => ({ type: 'events', events: list });
const ids = (state: LiveOrdersState) => state.rows.map((row) => row.order.id);
const statusOf = (state: LiveOrdersState, id: string) => state.rows.find((row) => row.order.id === id)?.order.status;

describe('merging live events into the order list', () => {
  it('puts a new order on top and counts it', () => {
    const state = run(loaded('ALL', [order(2), order(1)]), events({ kind: 'created', order: order(3) }));
    expect(ids(state)).toEqual(['order-003', 'order-002', 'order-001']);
    expect(state.totalCount).toBe(3);
  });

  it('changes a row’s status in place, keeping its position', () => {
    const state = run(
      loaded('ALL', [order(3), order(2), order(1)]),
      events({ kind: 'statusChanged', order: decided(2, 'PROCESSED'), previousStatus: 'PENDING' }),
    );
    expect(ids(state)).toEqual(['order-003', 'order-002', 'order-001']);
    expect(statusOf(state, 'order-002')).toBe('PROCESSED');
    expect(state.totalCount).toBe(3);
  });

  it('drops an update older than the version it holds', () => {
    const state = run(
      loaded('ALL', [decided(1, 'FAILED', 3)]),
      events({ kind: 'statusChanged', order: decided(1, 'PROCESSED', 2), previousStatus: 'PENDING' }),
    );
    expect(statusOf(state, 'order-001')).toBe('FAILED');
    expect(state.rows[0]!.order.version).toBe(3);
  });

  it('ignores the same event delivered twice', () => {
    const event: LiveEvent = { kind: 'created', order: order(2) };
    const state = run(loaded('ALL', [order(1)]), events(event, event));
    expect(ids(state)).toEqual(['order-002', 'order-001']);
    expect(state.totalCount).toBe(2);
  });

  it('applies out-of-order events so that the newest version wins', () => {
    const state = run(
      loaded('ALL', [order(1)]),
      events(
        { kind: 'statusChanged', order: decided(1, 'PENDING', 3), previousStatus: 'FAILED' },
        { kind: 'statusChanged', order: decided(1, 'FAILED', 2), previousStatus: 'PENDING' },
      ),
    );
    expect(statusOf(state, 'order-001')).toBe('PENDING');
    expect(state.rows[0]!.order.version).toBe(3);
  });

  it('inserts an order by creation time when it arrives late', () => {
    const state = run(loaded('ALL', [order(5), order(1)]), events({ kind: 'created', order: order(3) }));
    expect(ids(state)).toEqual(['order-005', 'order-003', 'order-001']);
  });

  it('leaves an order older than the loaded pages to the next page, but counts it', () => {
    const state = run(
      loaded('FAILED', [decided(5, 'FAILED')], { hasMore: true, totalCount: 10 }),
      events({ kind: 'statusChanged', order: decided(1, 'FAILED'), previousStatus: 'PENDING' }),
    );
    expect(ids(state)).toEqual(['order-005']);
    expect(state.totalCount).toBe(11);
  });
});

describe('the status filter on live events', () => {
  it('shows a new FAILED order in the FAILED view, and no new PENDING one', () => {
    const state = run(
      loaded('FAILED', [decided(1, 'FAILED')]),
      events(
        { kind: 'created', order: order(2) },
        { kind: 'statusChanged', order: decided(3, 'FAILED'), previousStatus: 'PENDING' },
      ),
    );
    expect(ids(state)).toEqual(['order-003', 'order-001']);
    expect(state.rows.every((row) => row.order.status === 'FAILED')).toBe(true);
    expect(state.totalCount).toBe(2);
  });

  it('removes a row whose new status leaves the filter', () => {
    const state = run(
      loaded('PENDING', [order(2), order(1)]),
      events({ kind: 'statusChanged', order: decided(2, 'PROCESSED'), previousStatus: 'PENDING' }),
    );
    expect(ids(state)).toEqual(['order-001']);
    expect(state.totalCount).toBe(1);
  });

  it('counts an unloaded order that leaves the filter', () => {
    const state = run(
      loaded('PENDING', [order(9)], { hasMore: true, totalCount: 5 }),
      events({ kind: 'statusChanged', order: decided(1, 'PROCESSED'), previousStatus: 'PENDING' }),
    );
    expect(ids(state)).toEqual(['order-009']);
    expect(state.totalCount).toBe(4);
  });

  it('drops a page that was asked for under the previous filter', () => {
    const state = run(initialLiveOrders('FAILED'), {
      type: 'pageLoaded',
      filter: 'ALL',
      page: page([order(1)]),
      mode: 'replace',
    });
    expect(state).toMatchObject({ phase: 'loading', rows: [] });
  });

  it('starts over, loading, when the filter changes', () => {
    const state = run(loaded('ALL', [order(1)]), { type: 'reset', filter: 'FAILED' });
    expect(state).toMatchObject({ filter: 'FAILED', phase: 'loading', rows: [] });
  });
});

describe('loading pages', () => {
  it('replays the events that arrived while the first page loaded', () => {
    const state = run(
      initialLiveOrders('ALL'),
      events(
        { kind: 'created', order: order(3) },
        { kind: 'statusChanged', order: decided(2, 'PROCESSED'), previousStatus: 'PENDING' },
      ),
      { type: 'pageLoaded', filter: 'ALL', page: page([order(2), order(1)]), mode: 'replace' },
    );
    expect(ids(state)).toEqual(['order-003', 'order-002', 'order-001']);
    expect(statusOf(state, 'order-002')).toBe('PROCESSED');
    expect(state.queued).toEqual([]);
  });

  it('catching up replaces stale statuses with the server’s', () => {
    const before = loaded('ALL', [order(2), order(1)]);
    const state = run(before, {
      type: 'pageLoaded',
      filter: 'ALL',
      page: page([decided(2, 'PROCESSED'), decided(1, 'FAILED')]),
      mode: 'replace',
    });
    expect(state.rows.map((row) => row.order.status)).toEqual(['PROCESSED', 'FAILED']);
  });

  it('catching up keeps a newer version received while the page was on its way', () => {
    const before = run(
      loaded('ALL', [order(1)]),
      events({ kind: 'statusChanged', order: decided(1, 'FAILED', 2), previousStatus: 'PENDING' }),
    );
    const state = run(before, { type: 'pageLoaded', filter: 'ALL', page: page([order(1)]), mode: 'replace' });
    expect(statusOf(state, 'order-001')).toBe('FAILED');
  });

  it('catching up keeps orders created after the server read the page', () => {
    const before = run(loaded('ALL', [order(1)]), events({ kind: 'created', order: order(5) }));
    const state = run(before, { type: 'pageLoaded', filter: 'ALL', page: page([order(2), order(1)]), mode: 'replace' });
    expect(ids(state)).toEqual(['order-005', 'order-002', 'order-001']);
    expect(state.totalCount).toBe(3);
  });

  it('appends an older page without duplicating rows that arrived live', () => {
    const first = loaded('ALL', [order(5), order(4)], { hasMore: true, totalCount: 4 });
    const state = run(first, {
      type: 'pageLoaded',
      filter: 'ALL',
      page: page([order(4), order(3)], { totalCount: 4, hasMore: false }),
      mode: 'append',
    });
    expect(ids(state)).toEqual(['order-005', 'order-004', 'order-003']);
    expect(state.hasMore).toBe(false);
  });
});

describe('holding still on an older page', () => {
  it('counts new orders instead of inserting them', () => {
    const state = run(
      loaded('ALL', [order(2), order(1)]),
      { type: 'hold', holding: true },
      events({ kind: 'created', order: order(3) }),
    );
    expect(ids(state)).toEqual(['order-002', 'order-001']);
    expect(state.held).toBe(1);
    expect(state.totalCount).toBe(3);
  });

  it('still updates the rows on screen', () => {
    const state = run(
      loaded('ALL', [order(1)]),
      { type: 'hold', holding: true },
      events({ kind: 'statusChanged', order: decided(1, 'PROCESSED'), previousStatus: 'PENDING' }),
    );
    expect(statusOf(state, 'order-001')).toBe('PROCESSED');
  });
});

describe('optimistic orders', () => {
  const guess = order(0, { id: 'ignored', orderNumber: '', version: 0, quantity: 2 });
  /** One order listed, the guess shown for request k1, then `actions`. */
  const afterGuess = (...actions: LiveOrdersAction[]) =>
    run(loaded('ALL', [order(1)]), { type: 'optimisticAdded', key: 'k1', order: guess }, ...actions);

  it('shows the new order at once, before the server answers', () => {
    const state = run(loaded('ALL', [order(1)]), { type: 'optimisticAdded', key: 'k1', order: guess });
    expect(state.rows).toHaveLength(2);
    expect(isUnconfirmed(state.rows[0]!)).toBe(true);
    expect(state.totalCount).toBe(1);
  });

  it('replaces the guess with the server’s order, in the same place', () => {
    const real = order(9, { quantity: 2 });
    const state = afterGuess({ type: 'optimisticSettled', key: 'k1', order: real });
    expect(ids(state)).toEqual(['order-009', 'order-001']);
    expect(state.rows.some(isUnconfirmed)).toBe(false);
    expect(state.totalCount).toBe(2);
  });

  it('lets the orderCreated event claim the guess when it comes before the answer', () => {
    const real = order(9, { quantity: 2 });
    const state = afterGuess(events({ kind: 'created', order: real }), {
      type: 'optimisticSettled',
      key: 'k1',
      order: real,
    });
    expect(ids(state)).toEqual(['order-009', 'order-001']);
    expect(state.totalCount).toBe(2);
    expect(state.rows[0]!.optimisticKey).toBeNull();
  });

  it('removes the guess when the server refuses the order', () => {
    const state = afterGuess({ type: 'optimisticSettled', key: 'k1', order: null });
    expect(ids(state)).toEqual(['order-001']);
  });

  it('shows no PENDING guess in the FAILED view', () => {
    const state = run(loaded('FAILED', []), { type: 'optimisticAdded', key: 'k1', order: guess });
    expect(state.rows).toEqual([]);
  });
});

describe('the cap on loaded rows', () => {
  it('cuts after the last row that has a cursor, so the next page starts right after it', () => {
    const state = run(loaded('ALL', [order(3), order(2), order(1)], { hasMore: false }), {
      type: 'events',
      events: [{ kind: 'created', order: order(4) }],
    });
    const capped = capRows(state, 2);
    expect(ids(capped)).toEqual(['order-004', 'order-003']);
    expect(capped.endCursor).toBe('cursor-order-003');
    expect(capped.hasMore).toBe(true);
  });

  it('asks to reload from the top when no kept row has a cursor', () => {
    const state = run(
      loaded('ALL', [order(1)]),
      events({ kind: 'created', order: order(2) }, { kind: 'created', order: order(3) }),
    );
    const capped = capRows(state, 2);
    expect(ids(capped)).toEqual(['order-003', 'order-002']);
    expect(capped.endCursor).toBeNull();
    expect(capped.hasMore).toBe(true);
  });
});
