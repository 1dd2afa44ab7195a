/**
 * Claiming a decision: inserting the status change with its unique id. Exactly
 * one insert wins on any MongoDB-wire server, so when an earlier attempt (this
 * instance's or a crashed one's) already claimed the change, its decision is
 * the one that stands, not the one just made.
 */
import { isDuplicateKey, nextChange, type Models, type Order } from '@orders/core';
import type { StreamPosition } from './sequence.ts';
import type { Decision } from '../deciding/decide.ts';
import type { CombinedWrites } from './combined-writes.ts';
import { findChange, type StatusChange } from './status-change.ts';

export interface Claim {
  readonly change: StatusChange;
  /** False when an earlier attempt had already claimed the change. */
  readonly won: boolean;
}

/** The change a decision about `order` (at its version) makes, placed at `position`; the status machine must allow it. */
export function changeFor(
  order: Pick<Order, '_id' | 'status' | 'version'>,
  decision: Decision,
  at: Date,
  position: StreamPosition,
): StatusChange {
  const change = nextChange(order, decision.status, { at, error: decision.error, stockAfter: decision.stockAfter });
  return { ...change, partition: position.partition, seq: position.seq };
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
