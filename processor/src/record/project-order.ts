/**
 * Projecting a change onto its order: status, version, timestamps, attempts and
 * one more history entry. Written by `_id` alone, the only filter FerretDB
 * turns into an index lookup. The caller guarantees the order is still at the
 * version before the change (it just read it PENDING at that version), which is
 * what keeps the history push from happening twice.
 */
import type { snapshotOf } from '@orders/core';
import type { CombinedWrites } from './combined-writes.ts';
import type { StatusChange } from './status-change.ts';

/** An order as read from the database (lean), in the shape that goes on the wire once snapshotted. */
export type OrderDocument = Parameters<typeof snapshotOf>[0];

/** Writes the change onto the order and returns the order as it now stands. */
export async function projectOntoOrder(
  writes: CombinedWrites,
  order: OrderDocument,
  change: StatusChange,
): Promise<OrderDocument> {
  const entry = {
    version: change.version,
    previousStatus: change.previousStatus,
    status: change.status,
    at: change.at,
    error: change.error,
  };
  const fields = {
    status: change.status,
    version: change.version,
    error: change.error,
    updatedAt: change.at,
    processedAt: change.status === 'PROCESSED' ? change.at : null,
    failedAt: change.status === 'FAILED' ? change.at : null,
    // Absolute rather than $inc: a retried write sets the same value again.
    attempts: order.attempts + 1,
  };
  await writes.updateOrder({ _id: order._id, update: { $set: fields, $push: { history: entry } } });
  return { ...order, ...fields, history: [...(order.history ?? []), entry] };
}
