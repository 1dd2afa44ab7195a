/**
 * A decision as the processor announces it on Redis, about an order that exists only in the
 * message: what the fan-out benchmark and the server's tests publish to drive subscriptions
 * without the rest of the pipeline. PROCESSED, or FAILED with `error`. Built by the order module, as
 * the processor builds its messages.
 */
import {
  applyChange,
  newOrderDocument,
  orderFromDocument,
  orderToWire,
  statusChangedEvent,
  type OrderStatusMessage,
} from '@orders/core';

export function decisionMessage(options: {
  /** Makes the order's id: distinct indexes, distinct orders. */
  index: number;
  orderNumber: string;
  at?: Date;
  error?: string | null;
}): OrderStatusMessage {
  const orderId = (0xf0000000 + options.index).toString(16).padStart(24, '0');
  const at = options.at ?? new Date();
  const error = options.error ?? null;
  const created = orderFromDocument(
    newOrderDocument({
      _id: orderId,
      orderNumber: options.orderNumber,
      customerId: 'cus_0001',
      sku: 'SKU-0001',
      quantity: 1,
      total: 10,
      idempotencyKey: null,
      createdAt: at,
    }),
  );
  const decision = {
    version: 2,
    previousStatus: 'PENDING',
    status: error === null ? 'PROCESSED' : 'FAILED',
    at,
    error,
  } as const;
  return {
    change: statusChangedEvent({ ...decision, _id: `${orderId}:2`, orderId }),
    order: orderToWire(applyChange(created, decision)),
  };
}
