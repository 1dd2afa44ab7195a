/** The order queries: a page of orders (a Relay connection), and one order by its id. */
import { customerScope, requireViewer } from '../../auth/access.ts';
import { ordersPage } from '../../orders/pagination.ts';
import { builder } from '../builder.ts';
import { orderIdFromGlobalId } from '../ids.ts';
import { Order, OrderStatusEnum, visible } from './types.ts';

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
