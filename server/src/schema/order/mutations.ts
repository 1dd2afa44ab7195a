/**
 * The order mutations: createOrder and retryOrder. CreateOrderInput is made
 * from the zod schema createOrder parses its values with (orders/create-order.ts),
 * which names the field at fault: a field is added there, once.
 */
import { customerScope, requireOperator, requireViewer } from '../../auth/access.ts';
import { CreateOrderInput as CreateOrderFields, MAX_QUANTITY } from '../../orders/create-order.ts';
import { builder } from '../builder.ts';
import { orderIdFromGlobalId } from '../ids.ts';
import { inputTypeFromZod } from './input-from-zod.ts';
import { Order } from './types.ts';

/** The fields come from the zod schema createOrder checks them with; what zod cannot say is noted here. */
const CreateOrderInput = inputTypeFromZod('CreateOrderInput', CreateOrderFields, {
  customerId: { type: 'ID' },
  quantity: { description: `From 1 to ${MAX_QUANTITY}.` },
  idempotencyKey: {
    description:
      'Send the same key again (for instance after a timeout) to get the same order instead of a second one.',
  },
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
