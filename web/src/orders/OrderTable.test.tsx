import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { OrderStatus } from '../gql/graphql.ts';
import { fakeGraphql } from '../test-support/fake-graphql.tsx';
import type { OrderRow } from './live-orders.ts';
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

/** The orders query answered from a list, and the two live subscriptions the table listens to. */
function fakeServer(orders: OrderRow[]) {
  const fake = fakeGraphql({
    OrderTable_OrdersQuery: (variables) => {
      const wanted = variables.status as OrderStatus[] | null;
      const matching = orders.filter((o) => !wanted || wanted.includes(o.status));
      return {
        data: {
          orders: {
            totalCount: matching.length,
            pageInfo: { endCursor: null, hasNextPage: false },
            edges: matching.map((node) => ({ cursor: `c-${node.id}`, node })),
          },
        },
      };
    },
  });
  return {
    ...fake,
    created: (o: OrderRow) => fake.push('OrderTable_OrderCreatedSubscription', { orderCreated: o }),
    changed: (o: OrderRow, previousStatus: OrderStatus) =>
      fake.push('OrderTable_OrderStatusChangedSubscription', {
        orderStatusChanged: { previousStatus, status: o.status, version: o.version, order: o },
      }),
  };
}

function renderTable(server: ReturnType<typeof fakeServer>, statusFilter: StatusFilter = 'ALL') {
  const onOpen = vi.fn();
  const { Providers } = server;
  render(
    <Providers statusFilter={statusFilter}>
      <OrderTable onOpenOrder={onOpen} />
    </Providers>,
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
    expect(server.requests[0]).toMatchObject({ name: 'OrderTable_OrdersQuery', variables: { status: ['FAILED'] } });

    server.created(order(3));
    server.changed(order(4, 'FAILED', 2), 'PENDING');
    await flushEvents();
    expect(orderNumbers()).toEqual(['ORD-261124-000004', 'ORD-261124-000001']);
  });

  it('reads the orders again after the live feed reconnects, so no stale status stays on screen', async () => {
    const orders = [order(1)];
    const server = fakeServer(orders);
    renderTable(server);
    await screen.findByText('ORD-261124-000001');
    act(() => server.monitor.report({ type: 'connected' }));
    act(() => server.monitor.report({ type: 'closed' }));
    // While the feed was away the order was decided; no event will ever say so.
    orders[0] = order(1, 'FAILED', 2);
    act(() => server.monitor.report({ type: 'connected' }));
    await flushEvents();
    expect(rowOf('ORD-261124-000001').getAttribute('data-status')).toBe('FAILED');
    expect(server.requests.filter((r) => r.name === 'OrderTable_OrdersQuery')).toHaveLength(2);
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
