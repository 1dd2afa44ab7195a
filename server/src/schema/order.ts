/** Orders: the type, its queries, the mutations that make and retry them, and their subscriptions. */
import { filter, map, pipe } from 'graphql-yoga';
import { ORDER_STATUSES, type OrderStatus } from '@orders/core';
import { customerScope, maySee, requireOperator, requireViewer } from '../auth/access.ts';
import type { Viewer } from '../auth/tokens.ts';
import { notFound } from '../errors.ts';
import { ordersPage } from '../orders/pagination.ts';
import { orderFromSnapshot, type OrderShape } from '../orders/shape.ts';
import { builder } from './builder.ts';
import { Customer, Product } from './catalogue.ts';
import { orderIdFromGlobalId } from './ids.ts';

const visible = (viewer: Viewer | null, order: OrderShape | null) => (order && maySee(viewer, order) ? order : null);

export const OrderStatusEnum = builder.enumType('OrderStatus', {
  description:
    'Where an order stands. PENDING until the processor decides; PROCESSED and FAILED are final (a FAILED order can be retried).',
  values: Object.fromEntries(ORDER_STATUSES.map((status) => [status, { value: status }])) as Record<
    OrderStatus,
    { value: OrderStatus }
  >,
});

export interface StatusChangeShape {
  order: OrderShape;
  version: number;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  at: Date;
  error: string | null;
}

const OrderRef = builder.objectRef<OrderShape>('Order');

export const OrderStatusChange = builder.objectRef<StatusChangeShape>('OrderStatusChange').implement({
  description: 'One change of one order’s status.',
  fields: (t) => ({
    order: t.field({ type: OrderRef, resolve: (change) => change.order }),
    version: t.exposeInt('version', { description: 'The order’s version after this change.' }),
    previousStatus: t.field({ type: OrderStatusEnum, nullable: true, resolve: (change) => change.previousStatus }),
    status: t.field({ type: OrderStatusEnum, resolve: (change) => change.status }),
    at: t.field({ type: 'DateTime', resolve: (change) => change.at }),
    error: t.exposeString('error', { nullable: true }),
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

builder.queryFields((t) => ({
  orders: t.connection(
    {
      type: Order,
      description: 'Orders, newest first. Without `status`, every status.',
      args: {
        status: t.arg({ type: [OrderStatusEnum], required: false }),
        customerId: t.arg.id({ required: false }),
      },
      resolve: (_root, args, { readModel, viewer }) =>
        ordersPage(readModel, {
          status: args.status,
          customerId: customerScope(viewer, args.customerId),
          first: args.first,
          after: args.after,
          last: args.last,
          before: args.before,
        }),
    },
    { name: 'OrderConnection', description: 'A page of orders.' },
    { name: 'OrderEdge' },
  ),
  order: t.field({
    type: Order,
    nullable: true,
    description: 'One order by its id, or null if there is none.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, { loaders, viewer }) =>
      visible(requireViewer(viewer), await loaders.order.load(orderIdFromGlobalId(id))),
  }),
}));

const CreateOrderInput = builder.inputType('CreateOrderInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    sku: t.string({ required: true }),
    quantity: t.int({ required: true, description: 'From 1 to 1000.' }),
    idempotencyKey: t.string({
      required: false,
      description:
        'Send the same key again (for instance after a timeout) to get the same order instead of a second one.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createOrder: t.field({
    type: Order,
    description: 'Places an order. It is stored PENDING and sent to the processor, which decides it.',
    args: { input: t.arg({ type: CreateOrderInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      customerScope(viewer, input.customerId);
      ctx.createOrderLimiter.take(`${viewer.role}:${viewer.subject}`, 'orders');
      return ctx.createOrder(input);
    },
  }),
  retryOrder: t.field({
    type: Order,
    description: 'Puts a FAILED order back to PENDING and through the processor again.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireOperator(ctx.viewer, 'retry an order');
      return ctx.retryOrder(orderIdFromGlobalId(id));
    },
  }),
}));

const statusChangeOf = (message: {
  change: {
    version: number;
    previousStatus: OrderStatus | null;
    status: OrderStatus;
    at: string;
    error: string | null;
  };
  order: Parameters<typeof orderFromSnapshot>[0];
}): StatusChangeShape => ({
  order: orderFromSnapshot(message.order),
  version: message.change.version,
  previousStatus: message.change.previousStatus,
  status: message.change.status,
  at: new Date(message.change.at),
  error: message.change.error,
});

builder.subscriptionFields((t) => ({
  orderCreated: t.field({
    type: Order,
    description: 'Every new order, or only those of one customer (a customer token: its own).',
    args: { customerId: t.arg.id({ required: false }) },
    subscribe: (_root, args, { events, viewer }) => {
      const customerId = customerScope(viewer, args.customerId);
      return pipe(
        events.created(),
        filter((message) => !customerId || message.order.customerId === customerId),
        map((message) => orderFromSnapshot(message.order)),
      );
    },
    resolve: (order: OrderShape) => order,
  }),
  orderStatusChanged: t.field({
    type: OrderStatusChange,
    description:
      'Every status change, filtered on the server by new status and customer (a customer token: its own orders only).',
    args: {
      status: t.arg({ type: [OrderStatusEnum], required: false }),
      customerId: t.arg.id({ required: false }),
    },
    subscribe: (_root, { status, ...args }, { events, viewer }) => {
      const customerId = customerScope(viewer, args.customerId);
      return pipe(
        events.statusChanges(),
        filter(
          (message) =>
            (!status || status.length === 0 || status.includes(message.change.status)) &&
            (!customerId || message.order.customerId === customerId),
        ),
        map(statusChangeOf),
      );
    },
    resolve: (change: StatusChangeShape) => change,
  }),
  orderUpdated: t.field({
    type: Order,
    description: 'Every change of one order.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, { id }, { events, loaders, viewer }) => {
      const orderId = orderIdFromGlobalId(id);
      if (!visible(requireViewer(viewer), await loaders.order.load(orderId))) {
        throw notFound(`no order with id "${id}"`, 'id');
      }
      return pipe(
        events.statusChanges(),
        filter((message) => message.order._id === orderId && maySee(viewer, message.order)),
        map((message) => orderFromSnapshot(message.order)),
      );
    },
    resolve: (order: OrderShape) => order,
  }),
}));
