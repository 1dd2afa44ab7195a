/**
 * Claiming a decision: inserting the status change with its unique id. Exactly
 * one insert wins on any MongoDB-wire server, so when an earlier attempt (this
 * instance's or a crashed one's) already claimed the change, its decision is
 * the one that stands, not the one just made.
 */
import { changeId, isDuplicateKey, type Models, type StreamPosition } from '@orders/core';
import type { Decision } from '../decide/decide.ts';
import type { CombinedWrites } from './combined-writes.ts';
import { findChange, type StatusChange } from './status-change.ts';

export interface Claim {
  readonly change: StatusChange;
  /** False when an earlier attempt had already claimed the change. */
  readonly won: boolean;
}

/** The change a decision about `order` (at its version) makes, placed at `position`. */
export function changeFor(
  order: { readonly _id: string; readonly version: number },
  decision: Decision,
  at: Date,
  position: StreamPosition,
): StatusChange {
  const version = order.version + 1;
  return {
    _id: changeId(order._id, version),
    orderId: order._id,
    version,
    previousStatus: 'PENDING',
    status: decision.status,
    error: decision.error,
    at,
    stockAfter: decision.stockAfter,
    partition: position.partition,
    seq: position.seq,
  };
}

/** Inserts the change; true when this insert made it, false when it existed already. */
export async function tryClaim(writes: CombinedWrites, change: StatusChange): Promise<boolean> {
  try {
    await writes.insertChange(change);
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return false;
  }
}

/** Claims the change, or finds the one an earlier attempt claimed. */
export async function claimChange(models: Models, writes: CombinedWrites, change: StatusChange): Promise<Claim> {
  if (await tryClaim(writes, change)) return { change, won: true };
  const existing = await findChange(models, change.orderId, change.version);
  if (existing === null) throw new Error(`status change ${change._id} was claimed but cannot be read back`);
  return { change: existing, won: false };
}
