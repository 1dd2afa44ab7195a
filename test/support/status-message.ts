/**
 * A decision as the processor announces it on Redis, about an order that exists only in the
 * message: what the fan-out benchmark and the server's tests publish to drive subscriptions
 * without the rest of the pipeline. PROCESSED, or FAILED with `error`.
 */
import type { OrderStatusMessage } from '@orders/core';

export function decisionMessage(options: {
  /** Makes the order's id: distinct indexes, distinct orders. */
  index: number;
  orderNumber: string;
  at?: Date;
  error?: string | null;
}): OrderStatusMessage {
  const orderId = (0xf0000000 + options.index).toString(16).padStart(24, '0');
  const at = (options.at ?? new Date()).toISOString();
  const error = options.error ?? null;
  const status = error === null ? 'PROCESSED' : 'FAILED';
  return {
    change: {
      v: 1,
      type: 'OrderStatusChanged',
      changeId: `${orderId}:2`,
      orderId,
      version: 2,
      previousStatus: 'PENDING',
      status,
      error,
      at,
    },
    order: {
      _id: orderId,
      orderNumber: options.orderNumber,
      customerId: 'cus_0001',
      sku: 'SKU-0001',
      quantity: 1,
      total: 10,
      status,
      version: 2,
      attempts: 1,
      error,
      createdAt: at,
      processedAt: status === 'PROCESSED' ? at : null,
      failedAt: status === 'FAILED' ? at : null,
      updatedAt: at,
      history: [
        { version: 1, previousStatus: null, status: 'PENDING', at, error: null },
        { version: 2, previousStatus: 'PENDING', status, at, error },
      ],
    },
  };
}
