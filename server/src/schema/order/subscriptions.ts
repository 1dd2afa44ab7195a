/** The order subscriptions: new orders, status changes (resumable from a cursor), and one order's updates. */
import { filter, map, pipe } from 'graphql-yoga';
import { orderFromDocument, orderFromWire } from '@orders/core';
import { customerScope, requireViewer } from '../../auth/access.ts';
import { notFound } from '../../errors.ts';
import { decodeCursor } from '../../pubsub/cursor.ts';
import type { FedMessage } from '../../pubsub/status-feed.ts';
import { builder } from '../builder.ts';
import { orderIdFromGlobalId } from '../ids.ts';
import { startWith } from './start-with.ts';
import { Order, OrderStatusChange, OrderStatusEnum, visible, type StatusChangeShape } from './types.ts';

const statusChangeOf = (message: FedMessage): StatusChangeShape => ({
  order: orderFromWire(message.order),
  version: message.change.version,
  previousStatus: message.change.previousStatus,
  status: message.change.status,
  at: new Date(message.change.at),
  error: message.change.error,
  cursor: message.cursor,
});

builder.subscriptionField('orderCreated', (t) =>
  t.field({
    type: Order,
    description: 'Every new order, or only those of one customer (a customer token: its own).',
    args: { customerId: t.arg.id({ required: false }) },
    subscribe: (_root, args, { events, viewer }) => {
      const customerId = customerScope(viewer, args.customerId);
      // Filtered before it is queued for this subscriber (see OrderEvents.followCreated).
      return pipe(
        events.followCreated((message) => !customerId || message.order.customerId === customerId),
        map((message) => orderFromWire(message.order)),
      );
    },
    resolve: (order: Order) => order,
  }),
);

builder.subscriptionField('orderStatusChanged', (t) =>
  t.field({
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
      // Filtered before it is queued for this subscriber (see StatusFeed.follow).
      const wanted = (message: FedMessage) =>
        (!status || status.length === 0 || status.includes(message.change.status)) &&
        (!customerId || message.order.customerId === customerId);
      return map(statusChangeOf)(await statusFeed.follow(from, wanted));
    },
    resolve: (change: StatusChangeShape) => change,
  }),
);

builder.subscriptionField('orderUpdated', (t) =>
  t.field({
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
      const changes = await statusFeed.follow(undefined, (message) => message.order._id === orderId);
      const doc = await models.Order.findById(orderId).lean();
      const order = doc === null ? null : orderFromDocument(doc);
      if (!visible(requireViewer(viewer), order)) {
        await changes.return?.();
        throw notFound(`no order with id "${id}"`, 'id');
      }
      const seen = order!;
      // Versions only grow: one already shown (or announced again) is dropped.
      let shown = afterVersion ?? seen.version;
      const newer = (next: Order) => next.version > shown && (shown = next.version) > 0;
      const updates = map((message: FedMessage) => orderFromWire(message.order))(changes);
      return filter(newer)(afterVersion === null || afterVersion === undefined ? updates : startWith([seen], updates));
    },
    resolve: (order: Order) => order,
  }),
);
