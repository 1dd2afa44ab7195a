/**
 * retryOrder: a FAILED order goes back to PENDING and through the processor
 * again. The status change is claimed by inserting it with a unique id, so two
 * concurrent retries cannot both succeed. The processor announces the change
 * when it takes the order up again (see handle-order-created.ts).
 */
import { assertTransition, changeId, isDuplicateKey, type Logger, type Models } from '@orders/core';
import { badInput, conflict, notFound } from '../errors.ts';
import type { OrderPublisher } from './publish-order.ts';
import { orderFromDocument, type OrderShape } from './shape.ts';

export interface RetryOrderDeps {
  models: Models;
  publisher: OrderPublisher;
  logger: Logger;
}

export async function retryOrder(deps: RetryOrderDeps, orderId: string): Promise<OrderShape> {
  const { models } = deps;
  const doc = await models.Order.findById(orderId).lean();
  if (!doc) throw notFound(`no order with id "${orderId}"`, 'id');
  const order = orderFromDocument(doc);
  if (order.status !== 'FAILED') {
    throw badInput(`only a FAILED order can be retried; ${order.orderNumber} is ${order.status}`, 'id');
  }
  assertTransition('FAILED', 'PENDING');

  const at = new Date();
  const version = order.version + 1;
  const id = changeId(order._id, version);
  try {
    await models.StatusChange.create({
      _id: id,
      orderId: order._id,
      version,
      previousStatus: 'FAILED',
      status: 'PENDING',
      error: null,
      at,
      stockAfter: null,
      publishedAt: null,
    });
  } catch (error) {
    if (isDuplicateKey(error)) throw conflict(`${order.orderNumber} is already being retried`);
    throw error;
  }

  const entry = { version, previousStatus: 'FAILED' as const, status: 'PENDING' as const, at, error: null };
  await models.Order.updateOne(
    { _id: order._id },
    {
      $set: { status: 'PENDING', version, error: null, failedAt: null, processedAt: null, updatedAt: at },
      $push: { history: entry },
    },
  );
  const retried: OrderShape = {
    ...order,
    status: 'PENDING',
    version,
    error: null,
    failedAt: null,
    processedAt: null,
    updatedAt: at,
    history: [...order.history, entry],
  };
  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber });
  log.info('order retried', { version });

  // The processor announces the change (orders.status and the Redis channel) when it takes the order
  // up again, just before its decision and in the same place of its stream, so that subscribers
  // resuming from a cursor see it in order. Until then only this instance's lists know of it.
  try {
    await deps.publisher.publish(retried);
  } catch (error) {
    log.warn('retry stored but not yet published; the outbox relay will retry', { error });
  }
  return retried;
}
