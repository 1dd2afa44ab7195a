/**
 * retryOrder: a FAILED order goes back to PENDING and through the processor
 * again. The status change is claimed by inserting it with a unique id, so two
 * concurrent retries cannot both succeed. The processor announces the change
 * when it takes the order up again (see handle-order-created.ts); the index
 * lists it PENDING at once, on every instance. Like a new order, it is marked
 * unpublished before its writes, for the outbox relay to find after a crash.
 */
import { assertTransition, changeId, isDuplicateKey, type Logger, type Models } from '@orders/core';
import { badInput, conflict, notFound } from '../errors.ts';
import { publishOrLeaveToRelay } from './create-order.ts';
import type { IndexWrites } from './index-writes.ts';
import type { OrderPublisher } from './publish-order.ts';
import { orderFromDocument, type OrderShape } from './shape.ts';

export interface RetryOrderDeps {
  models: Models;
  publisher: OrderPublisher;
  indexWrites: IndexWrites;
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
    await deps.indexWrites.index.markUnpublished(order._id);
  } catch (error) {
    deps.logger.warn('could not mark a retried order unpublished in the index', { orderId: order._id, error });
  }
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
  // resuming from a cursor see it in order. The lists show it PENDING at once.
  const published = await publishOrLeaveToRelay(deps, retried, log);
  await deps.indexWrites.write(retried, { published });
  return retried;
}
