/**
 * Projecting a change onto its order: the order module's update for it (status,
 * version, timestamps, attempts and one more history entry), written by `_id`
 * alone, the only filter FerretDB turns into an index lookup. The caller
 * guarantees the order is still at the version before the change (it just read
 * it PENDING at that version), which is what keeps the history push from
 * happening twice.
 */
import { orderUpdateFor, type Order, type StatusChange } from '@orders/core';
import type { CombinedWrites } from './combined-writes.ts';

/** Writes the change onto the order and returns the order as it now stands. */
export async function projectOntoOrder(writes: CombinedWrites, order: Order, change: StatusChange): Promise<Order> {
  const update = orderUpdateFor(order, change);
  if (update === null) {
    throw new Error(`change ${change._id} is not the next of order ${order._id} (at version ${order.version})`);
  }
  await writes.updateOrder({ _id: order._id, update: { $set: update.$set, $push: update.$push } });
  return update.order;
}
