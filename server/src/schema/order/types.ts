/** The order's GraphQL types: its status, one change of its status, and the Order node. */
import { ORDER_STATUSES, type Order as CoreOrder, type OrderStatus, type Viewer } from '@orders/core';
import { maySee } from '../../auth/access.ts';
import { notFound } from '../../errors.ts';
import { builder } from '../builder.ts';
import { Customer, Product } from '../catalogue.ts';

/** The order module's order (`@orders/core`), under the name of the GraphQL type that shows it. */
export type Order = CoreOrder;

/** The order if the viewer may see it; null otherwise (another customer's order reads as missing). */
export const visible = (viewer: Viewer | null, order: Order | null) => (order && maySee(viewer, order) ? order : null);

export const OrderStatusEnum = builder.enumType('OrderStatus', {
  description:
    'Where an order stands. PENDING until the processor decides; PROCESSED and FAILED are final (a FAILED order can be retried).',
  values: Object.fromEntries(ORDER_STATUSES.map((status) => [status, { value: status }])) as Record<
    OrderStatus,
    { value: OrderStatus }
  >,
});

export interface StatusChangeShape {
  order: Order;
  version: number;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  at: Date;
  error: string | null;
  /** Only on changes a subscription delivers. */
  cursor?: string;
}

const OrderRef = builder.objectRef<Order>('Order');

export const OrderStatusChange = builder.objectRef<StatusChangeShape>('OrderStatusChange').implement({
  description: 'One change of one order’s status.',
  fields: (t) => ({
    order: t.field({ type: OrderRef, resolve: (change) => change.order }),
    version: t.exposeInt('version', { description: 'The order’s version after this change.' }),
    previousStatus: t.field({ type: OrderStatusEnum, nullable: true, resolve: (change) => change.previousStatus }),
    status: t.field({ type: OrderStatusEnum, resolve: (change) => change.status }),
    at: t.field({ type: 'DateTime', resolve: (change) => change.at }),
    error: t.exposeString('error', { nullable: true }),
    cursor: t.exposeString('cursor', {
      nullable: true,
      description:
        'On a change `orderStatusChanged` delivered: where the stream of changes stood once it was delivered. ' +
        'Subscribe again with it as `after` to receive every change made since, once each, then live ones. Null in `Order.history`.',
    }),
  }),
});

export const Order = builder.node(OrderRef, {
  description: 'An order for one product by one customer.',
  id: { resolve: (order) => order._id },
  // A customer's token finds its own orders only; another's reads as missing, never as forbidden.
  loadOne: async (id, { loaders, viewer }) => visible(viewer, await loaders.order.load(id)),
  fields: (t) => ({
    orderNumber: t.exposeString('orderNumber', { description: 'Human-readable and unique, e.g. ORD-261124-7KQ2MX.' }),
    customerId: t.exposeID('customerId'),
    customer: t.field({
      type: Customer,
      resolve: async (order, _args, { loaders }) =>
        (await loaders.customer.load(order.customerId)) ??
        Promise.reject(notFound(`customer ${order.customerId} is gone`)),
    }),
    sku: t.exposeString('sku'),
    product: t.field({
      type: Product,
      resolve: async (order, _args, { loaders }) =>
        (await loaders.product.load(order.sku)) ?? Promise.reject(notFound(`product ${order.sku} is gone`)),
    }),
    quantity: t.exposeInt('quantity'),
    total: t.exposeFloat('total', { description: 'Unit price times quantity, at the time of the order.' }),
    status: t.field({ type: OrderStatusEnum, resolve: (order) => order.status }),
    version: t.exposeInt('version', {
      description: 'Grows by one with every change: drop any update older than the one you hold.',
    }),
    attempts: t.exposeInt('attempts', { description: 'How many times the processor has decided this order.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the order FAILED; null otherwise.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (order) => order.createdAt }),
    processedAt: t.field({ type: 'DateTime', nullable: true, resolve: (order) => order.processedAt }),
    failedAt: t.field({ type: 'DateTime', nullable: true, resolve: (order) => order.failedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (order) => order.updatedAt }),
    history: t.field({
      type: [OrderStatusChange],
      description: 'Every status the order has had, oldest first.',
      resolve: (order) => order.history.map((entry) => ({ ...entry, order })),
    }),
  }),
});
