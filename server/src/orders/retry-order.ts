/**
 * retryOrder: an order the status machine lets retry (a FAILED one) goes back
 * to PENDING and through the processor again. The status change is claimed by
 * inserting it with a unique id, so two concurrent retries cannot both succeed.
 * The processor announces the change when it takes the order up again (see
 * handle-order-created.ts); the index lists it PENDING at once, on every
 * instance. Like a new order, it is marked unpublished before its writes, for
 * the outbox relay to find after a crash.
 */
import {
  RETRIED_STATUS,
  RETRYABLE_STATUSES,
  isDuplicateKey,
  mayRetry,
  nextChange,
  orderFromDocument,
  orderUpdateFor,
  type Logger,
  type Models,
  type Order,
} from '@orders/core';
import { badInput, conflict, notFound } from '../errors.ts';
import { publishOrLeaveToRelay } from './create-order.ts';
import type { IndexWrites } from './index-writes.ts';
import type { OrderPublisher } from './publish-order.ts';

export interface RetryOrderDeps {
  models: Models;
  publisher: OrderPublisher;
  indexWrites: IndexWrites;
  logger: Logger;
}

export async function retryOrder(deps: RetryOrderDeps, orderId: string): Promise<Order> {
  const { models } = deps;
  const doc = await models.Order.findById(orderId).lean();
  if (!doc) throw notFound(`no order with id "${orderId}"`, 'id');
  const order = orderFromDocument(doc);
  if (!mayRetry(order.status)) {
    throw badInput(
      `only a ${RETRYABLE_STATUSES.join(' or ')} order can be retried; ${order.orderNumber} is ${order.status}`,
      'id',
    );
  }
  const change = nextChange(order, RETRIED_STATUS, { at: new Date(), error: null, stockAfter: null });
  const update = orderUpdateFor(order, change)!;

  try {
    await deps.indexWrites.index.markUnpublished(order._id);
  } catch (error) {
    deps.logger.warn('could not mark a retried order unpublished in the index', { orderId: order._id, error });
  }
  try {
    await models.StatusChange.create(change);
  } catch (error) {
    if (isDuplicateKey(error)) throw conflict(`${order.orderNumber} is already being retried`);
    throw error;
  }
  await models.Order.updateOne({ _id: order._id }, { $set: update.$set, $push: update.$push });
  const retried = update.order;
  // A retry keeps the order's trace: its second decision is found under the same trace id.
  const traceId = doc.traceId ?? undefined;
  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber, traceId });
  log.info('order retried', { version: retried.version });

  // The processor announces the change (orders.status and the Redis channel) when it takes the order
  // up again, just before its decision and in the same place of its stream, so that subscribers
  // resuming from a cursor see it in order. The lists show it PENDING at once.
  const published = await publishOrLeaveToRelay(deps, retried, log, traceId);
  await deps.indexWrites.write(retried, { published });
  return retried;
}
