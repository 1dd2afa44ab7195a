/** Orders: the type, its queries, the mutations that make and retry them, and their subscriptions. */
import { filter, map, pipe } from 'graphql-yoga';
import { ORDER_STATUSES, type OrderStatus, type Viewer } from '@orders/core';
import { customerScope, maySee, requireOperator, requireViewer } from '../auth/access.ts';
import { notFound } from '../errors.ts';
import { ordersPage } from '../orders/pagination.ts';
import { orderFromDocument, orderFromSnapshot, type OrderShape } from '../orders/shape.ts';
import { decodeCursor } from '../pubsub/cursor.ts';
import type { FedMessage } from '../pubsub/status-feed.ts';
import { builder } from './builder.ts';
import { Customer, Product } from './catalogue.ts';
import { orderIdFromGlobalId } from './ids.ts';

/** `first`, then what `rest` gives; returning it returns `rest`. */
function startWith<T>(first: readonly T[], rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  const queue = [...first];
  return {
    next: () => (queue.length > 0 ? Promise.resolve({ done: false, value: queue.shift()! }) : rest.next()),
    return: () => rest.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

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
  /** Only on changes a subscription delivers. */
  cursor?: string;
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

builder.queryFields((t) => ({
  orders: t.connection(
    {
      type: Order,
      description: 'Orders, newest first. Without `status`, every status.',
      args: {
        status: t.arg({ type: [OrderStatusEnum], required: false }),
        customerId: t.arg.id({ required: false }),
      },
      resolve: (_root, args, { index, orderCache, viewer }) =>
        ordersPage(
          { index, orders: orderCache },
          {
            status: args.status,
            customerId: customerScope(viewer, args.customerId),
            first: args.first,
            after: args.after,
            last: args.last,
            before: args.before,
          },
        ),
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

const statusChangeOf = (message: FedMessage): StatusChangeShape => ({
  order: orderFromSnapshot(message.order),
  version: message.change.version,
  previousStatus: message.change.previousStatus,
  status: message.change.status,
  at: new Date(message.change.at),
  error: message.change.error,
  cursor: message.cursor,
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
      'Every status change, filtered on the server by new status and customer (a customer token: its own orders only). ' +
      'With `after` (the `cursor` of the last change received), first every change made since then, in order and once each, then live ones.',
    args: {
      status: t.arg({ type: [OrderStatusEnum], required: false }),
      customerId: t.arg.id({ required: false }),
      after: t.arg.string({
        required: false,
        description: 'Resume right after the change that carried this `cursor`.',
      }),
    },
    subscribe: async (_root, { status, after, ...args }, { statusFeed, viewer }) => {
      const customerId = customerScope(viewer, args.customerId);
      const from = after === null || after === undefined ? undefined : decodeCursor(after);
      return pipe(
        await statusFeed.follow(from),
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
    description:
      'Every change of one order. With `afterVersion`, the order as it stands now first if it has changed since that version; then only newer versions.',
    args: {
      id: t.arg.id({ required: true }),
      afterVersion: t.arg.int({
        required: false,
        description: 'The `version` of the order the client last saw.',
      }),
    },
    subscribe: async (_root, { id, afterVersion }, { models, statusFeed, viewer }) => {
      const orderId = orderIdFromGlobalId(id);
      // Listen first, then read: a change made in between is in one or the other, never in neither.
      const changes = await statusFeed.follow();
      const doc = await models.Order.findById(orderId).lean();
      const order = doc === null ? null : orderFromDocument(doc);
      if (!visible(requireViewer(viewer), order)) {
        await changes.return?.();
        throw notFound(`no order with id "${id}"`, 'id');
      }
      const seen = order!;
      // Versions only grow: one already shown (or announced again) is dropped.
      let shown = afterVersion ?? seen.version;
      const newer = (next: OrderShape) => next.version > shown && (shown = next.version) > 0;
      const updates = pipe(
        changes,
        filter((message) => message.order._id === orderId),
        map((message) => orderFromSnapshot(message.order)),
      );
      return filter(newer)(afterVersion === null || afterVersion === undefined ? updates : startWith([seen], updates));
    },
    resolve: (order: OrderShape) => order,
  }),
}));
