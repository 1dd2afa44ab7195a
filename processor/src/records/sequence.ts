/**
 * Where a status change sits in the stream of its writer. The processor that
 * owns a partition of `orders.created` is the only writer of the changes its
 * messages cause, and it handles them one after another in offset order, so
 * a number derived from the offset orders its changes exactly as it announces
 * them. A wall-clock time would not: two writers' clocks and their publishes
 * interleave in any order.
 *
 * One message causes at most two changes: a retried order re-entering
 * PENDING (the retry's change, written by the server and announced by the
 * processor) and the decision. So `seq` = 2 × offset, + 1 for the decision.
 */

export interface StreamPosition {
  /** The partition of `orders.created` whose owner wrote the change: the stream. */
  readonly partition: number;
  /** Grows with every change announced in the stream. */
  readonly seq: number;
}

export type ChangeStep = 'reentry' | 'decision';

/** The position of the change a message at `offset` of `partition` causes. */
export function positionOf(partition: number, offset: string, step: ChangeStep): StreamPosition {
  const seq = BigInt(offset) * 2n + (step === 'decision' ? 1n : 0n);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`offset ${offset} is too large for a sequence`);
  return { partition, seq: Number(seq) };
}
