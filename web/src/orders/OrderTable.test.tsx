import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, Provider, makeResult, type Exchange, type Operation } from 'urql';
import { filter, makeSubject, map, merge, mergeMap, pipe, type Subject } from 'wonka';
import { describe, expect, it, vi } from 'vitest';
import { ConnectionMonitor } from '../graphql/connection-monitor.ts';
import { ConnectionProvider } from '../graphql/connection-context.tsx';
import type { OrderStatus } from '../gql/graphql.ts';
import type { OrderRow } from './live-orders.ts';
import { LiveOrdersProvider } from './LiveOrdersContext.tsx';
import { OrderTable } from './OrderTable.tsx';
import type { StatusFilter } from './status-filter.ts';

function order(n: number, status: OrderStatus = 'PENDING', version = 1): OrderRow {
  return {
    id: `order-${n}`,
    orderNumber: `ORD-261124-00000${n}`,
    quantity: n,
    total: 10 * n,
    status,
    version,
    error: status === 'FAILED' ? 'payment declined' : null,
    createdAt: new Date(Date.UTC(2026, 10, 24, 6, 0, n)).toISOString(),
    processedAt: status === 'PROCESSED' ? new Date(Date.UTC(2026, 10, 24, 6, 1, n)).toISOString() : null,
    failedAt: status === 'FAILED' ? new Date(Date.UTC(2026, 10, 24, 6, 1, n)).toISOString() : null,
    customer: { id: 'cus_0001', name: `Customer ${n}` },
    product: { sku: 'SKU-0001', name: `Product ${n}` },
  };
}

/** A GraphQL server in memory: answers the orders query from a list, and lets the test push subscription events. */
function fakeServer(orders: OrderRow[]) {
  const feeds = new Map<string, Subject<unknown>>();
  const feed = (name: string) => {
    if (!feeds.has(name)) feeds.set(name, makeSubject<unknown>());
    return feeds.get(name)!;
  };
  const requests: Operation[] = [];
  const exchange: Exchange = () => (operations$) => {
    const name = (op: Operation) =>
      op.query.definitions.flatMap((d) => (d.kind === 'OperationDefinition' && d.name ? [d.name.value] : []))[0] ?? '';
    const queries$ = pipe(
      operations$,
      filter((op) => op.kind === 'query'),
      map((op) => {
        requests.push(op);
        const wanted = (op.variables as { status: OrderStatus[] | null }).status;
        const matching = orders.filter((o) => !wanted || wanted.includes(o.status));
        return makeResult(op, {
          data: {
            orders: {
              totalCount: matching.length,
              pageInfo: { endCursor: null, hasNextPage: false },
              edges: matching.map((node) => ({ cursor: `c-${node.id}`, node })),
            },
          },
        });
      }),
    );
    const subscriptions$ = pipe(
      operations$,
      filter((op) => op.kind === 'subscription'),
      mergeMap((op) =>
        pipe(
          feed(name(op)).source,
          map((data) => makeResult(op, { data: data as Record<string, unknown> })),
        ),
      ),
    );
    return merge([queries$, subscriptions$]);
  };
  const client = new Client({ url: 'http://test/graphql', exchanges: [exchange] });
  return {
    client,
    requests,
    created: (o: OrderRow) => feed('OrderTable_OrderCreatedSubscription').next({ orderCreated: o }),
    changed: (o: OrderRow, previousStatus: OrderStatus) =>
      feed('OrderTable_OrderStatusChangedSubscription').next({
        orderStatusChanged: { previousStatus, status: o.status, version: o.version, order: o },
      }),
  };
}

function renderTable(server: ReturnType<typeof fakeServer>, statusFilter: StatusFilter = 'ALL') {
  const onOpen = vi.fn();
  render(
    <Provider value={server.client}>
      <ConnectionProvider monitor={new ConnectionMonitor()}>
        <LiveOrdersProvider filter={statusFilter}>
          <OrderTable onOpenOrder={onOpen} />
        </LiveOrdersProvider>
      </ConnectionProvider>
    </Provider>,
  );
  return { onOpen };
}

const rowOf = (orderNumber: string) => screen.getByRole('button', { name: `Open order ${orderNumber}` }).closest('tr')!;
const orderNumbers = () => screen.queryAllByRole('button', { name: /^Open order / }).map((b) => b.textContent);

/** Lets the table's batched live events through. */
const flushEvents = () => act(() => new Promise((resolve) => setTimeout(resolve, 100)));

describe('the live order table', () => {
  it('shows the newest orders with their customer, product, total and status', async () => {
    renderTable(fakeServer([order(2), order(1, 'FAILED', 2)]));
    expect(await screen.findByText('ORD-261124-000002')).toBeTruthy();
    expect(orderNumbers()).toEqual(['ORD-261124-000002', 'ORD-261124-000001']);
    const row = within(rowOf('ORD-261124-000001'));
    expect(row.getByText('Customer 1')).toBeTruthy();
    expect(row.getByText('Product 1')).toBeTruthy();
    expect(row.getByText('Failed')).toBeTruthy();
  });

  it('changes a row’s status in place when orderStatusChanged arrives', async () => {
    const server = fakeServer([order(1)]);
    renderTable(server);
    await screen.findByText('ORD-261124-000001');
    server.changed(order(1, 'PROCESSED', 2), 'PENDING');
    await flushEvents();
    expect(rowOf('ORD-261124-000001').getAttribute('data-status')).toBe('PROCESSED');
    expect(within(rowOf('ORD-261124-000001')).getByText('Processed')).toBeTruthy();
  });

  it('puts an order from orderCreated on top', async () => {
    const server = fakeServer([order(1)]);
    renderTable(server);
    await screen.findByText('ORD-261124-000001');
    server.created(order(3));
    await flushEvents();
    expect(orderNumbers()).toEqual(['ORD-261124-000003', 'ORD-261124-000001']);
  });

  it('in the FAILED view, asks the server for failed orders and shows only new failures', async () => {
    const server = fakeServer([order(2, 'PROCESSED', 2), order(1, 'FAILED', 2)]);
    renderTable(server, 'FAILED');
    await screen.findByText('ORD-261124-000001');
    expect(orderNumbers()).toEqual(['ORD-261124-000001']);
    expect(server.requests[0]?.variables).toMatchObject({ status: ['FAILED'] });

    server.created(order(3));
    server.changed(order(4, 'FAILED', 2), 'PENDING');
    await flushEvents();
    expect(orderNumbers()).toEqual(['ORD-261124-000004', 'ORD-261124-000001']);
  });

  it('says so when no order matches', async () => {
    renderTable(fakeServer([order(1)]), 'FAILED');
    expect(await screen.findByText(/No failed orders right now/)).toBeTruthy();
  });

  it('opens an order by its number, from the keyboard too', async () => {
    const { onOpen } = renderTable(fakeServer([order(1)]));
    const link = await screen.findByRole('button', { name: 'Open order ORD-261124-000001' });
    link.focus();
    await userEvent.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith('order-1');
  });
});
