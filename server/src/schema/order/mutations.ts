/**
 * The order mutations: createOrder and retryOrder. The input type only shapes
 * the request; its values are checked in one place, the zod schema that
 * createOrder parses them with (orders/create-order.ts), which names the field
 * at fault.
 */
import { customerScope, requireOperator, requireViewer } from '../../auth/access.ts';
import { builder } from '../builder.ts';
import { orderIdFromGlobalId } from '../ids.ts';
import { Order } from './types.ts';

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
      return ctx.createOrder(input, ctx.traceparent);
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
