/**
 * retryOrder: an order the status machine lets retry (a FAILED one) goes back
 * to PENDING and through the processor again. The status change is claimed by
 * inserting it with a unique id, so two concurrent retries cannot both succeed.
 * The processor announces the change when it takes the order up again (see
 * handle-order-created.ts); the index lists it PENDING at once, on every
 * instance.
 *
 * A retry is three writes (the mark, the claim, the order) and a send, with
 * no transaction to hold them together. So each step leaves what the next
 * needs to be finished by someone else: the mark (in the index, or in MongoDB
 * while Redis is away) lets the outbox relay find the order; a claim the order
 * never took is finished by the relay (`finishRetry`), or by the next retry
 * once the claim is older than the grace period, instead of refusing every
 * later retry as "already being retried".
 */
import {
  RETRIED_STATUS,
  RETRYABLE_STATUSES,
  changeId,
  isDuplicateKey,
  mayRetry,
  nextChange,
  orderFromDocument,
  orderUpdateFor,
  statusChangeFromDocument,
  type Logger,
  type Models,
  type Order,
  type StatusChange,
} from '@orders/core';
import { badInput, conflict, notFound } from '../errors.ts';
import { publishOrLeaveToRelay } from './create-order.ts';
import type { IndexWrites } from './index-writes.ts';
import type { OrderPublisher } from './publish-order.ts';
import type { UnpublishedMarks } from './unpublished-marks.ts';

export interface RetryOrderDeps {
  models: Models;
  publisher: OrderPublisher;
  indexWrites: IndexWrites;
  marks: UnpublishedMarks;
  /** Writes a retried order (see `writeRetriedOrder`); a seam for whoever runs the server to fail it. */
  writeOrder: (order: Order) => Promise<void>;
  /** How old a claim the order never took must be before a later retry finishes it (OUTBOX_GRACE_MS). */
  orphanAfterMs: number;
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

  // Rejects when neither Redis nor MongoDB takes the mark: the retry fails with nothing written.
  await deps.marks.mark(order._id);
  try {
    await models.StatusChange.create(change);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const claimed = await models.StatusChange.findById(change._id).lean();
    const orphaned = claimed !== null && Date.now() - claimed.at.getTime() >= deps.orphanAfterMs;
    if (!orphaned) throw conflict(`${order.orderNumber} is already being retried`);
    // A retry that claimed the change and went no further (its server died, or MongoDB failed it).
    deps.logger.warn('finishing an earlier retry that claimed its change and went no further', {
      orderId: order._id,
      version: change.version,
    });
    return (await finishRetry(deps, order, statusChangeFromDocument(claimed), doc.traceId)).order;
  }
  return (await finishRetry(deps, order, change, doc.traceId)).order;
}

/**
 * Takes an order to its claimed retry and sends it to the processor: the order's write, the send, the
 * index. Safe to run twice (the write sets absolute values, the processor decides a version once), so
 * the relay and a later retry can finish what a failed one left. Says whether the order reached Kafka
 * (when it did not, its mark stays for the relay).
 */
export async function finishRetry(
  deps: Pick<RetryOrderDeps, 'publisher' | 'indexWrites' | 'marks' | 'writeOrder' | 'logger'>,
  order: Order,
  claim: StatusChange,
  traceId: string | null | undefined,
): Promise<{ order: Order; published: boolean }> {
  const update = orderUpdateFor(order, claim);
  // Null only for a claim that is not the order's next change: nothing to write, the order goes on as it is.
  const retried = update?.order ?? order;
  if (update !== null) await deps.writeOrder(retried);
  // A retry keeps the order's trace: its second decision is found under the same trace id.
  const log = deps.logger.child({ orderId: order._id, orderNumber: order.orderNumber, traceId: traceId ?? undefined });
  log.info('order retried', { version: retried.version });

  // The processor announces the change (orders.status and the Redis channel) when it takes the order
  // up again, just before its decision and in the same place of its stream, so that subscribers
  // resuming from a cursor see it in order. The lists show it PENDING at once.
  const published = await publishOrLeaveToRelay(deps, retried, log, traceId);
  // Retries are rare: a mark held in MongoDB (this one's, or one an earlier retry left) goes whoever made it.
  if (published) await deps.marks.published(order._id, 'held');
  await deps.indexWrites.write(retried, { published });
  return { order: retried, published };
}

/**
 * The claim of an order's next change when it is a retry the order never took (FAILED at version n,
 * a PENDING claim for n + 1): what a retry that stopped between its claim and its write leaves.
 */
export async function unfinishedRetry(models: Models, order: Order): Promise<StatusChange | null> {
  if (!mayRetry(order.status)) return null;
  const claimed = await models.StatusChange.findById(changeId(order._id, order.version + 1)).lean();
  if (claimed === null || claimed.status !== RETRIED_STATUS) return null;
  return statusChangeFromDocument(claimed);
}

/**
 * The write of a retried order, by `_id` alone and with absolute values (the whole history rather than
 * a `$push`): written twice, by a retry and the relay finishing it, it sets the same.
 */
export function writeRetriedOrder(models: Models): (order: Order) => Promise<void> {
  return async (order) => {
    await models.Order.updateOne(
      { _id: order._id },
      {
        $set: {
          status: order.status,
          version: order.version,
          attempts: order.attempts,
          error: order.error,
          processedAt: order.processedAt,
          failedAt: order.failedAt,
          updatedAt: order.updatedAt,
          history: order.history,
        },
      },
    );
  };
}
