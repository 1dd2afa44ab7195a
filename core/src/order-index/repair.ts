/**
 * Repairing what a Redis failover (or a restart that lost the last second of its append-only file)
 * took from the order index, from the source of truth: Kafka's `orders.created` and MongoDB.
 *
 * Replication to a Redis replica is asynchronous and in order: a promoted replica holds a prefix of
 * what its primary acknowledged. So the index keeps a checkpoint, the processors' committed offsets
 * on `orders.created` as they stood when the index was last found whole on the node that answered
 * (written atomically with a look at that node's replication id, see RECORD_CHECKPOINT). A processor
 * commits an offset only after the index took the message's changes, so whatever a new node got of
 * the checkpoint, it got every change before it: the loss lies after the checkpoint.
 *
 * When the node that answers is not the one the index was verified on, one instance (holding the
 * rebuild lock) waits until the processors have committed what was in `orders.created` then (what
 * was handled before the failover is committed by then), reads the messages between the checkpoint
 * and there, and re-applies their orders as MongoDB holds them (by version: idempotent) and their
 * changes' log entries in their places. Nothing is published again: subscribers that were listening
 * heard those changes from the old primary, and those that resume read them from the log, which is
 * whole again before a catch-up is served (see `OrderIndex.whole`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Models } from '../models.ts';
import { orderAsOf, statusChangedEvent, statusChangeFromDocument, type StatusChange } from '../order/change.ts';
import { orderFromDocument, orderToWire, type Order } from '../order/order.ts';
import { changeId } from '../status.ts';
import type { OrderIndex } from './order-index.ts';
import { takeRebuildLock } from './rebuild.ts';

/** Where the repair reads the truth from: the processors' progress and `orders.created` in Kafka. */
export interface CreatedLog {
  /** The processors' committed offset per partition of `orders.created` (the next to handle; 0 when none). */
  committedOffsets(): Promise<Map<number, bigint>>;
  /** The end of each partition of `orders.created` now (the offset the next message will get). */
  endOffsets(): Promise<Map<number, bigint>>;
  /** The order ids of the messages at offsets [from, to) of each partition. */
  orderIdsBetween(ranges: ReadonlyMap<number, { from: bigint; to: bigint }>): Promise<Map<number, string[]>>;
}

export interface RepairReport {
  /** What the check found: whole, first checked (a checkpoint begun), repaired, or left to another instance. */
  readonly outcome: 'whole' | 'begun' | 'repaired' | 'repairing elsewhere' | 'unfinished';
  /** Orders re-applied from MongoDB, and log entries that were missing and were put back. */
  readonly orders: number;
  readonly logEntries: number;
  readonly ms: number;
}

export interface RepairOptions {
  /** How long to wait for the processors to commit what was in `orders.created` when the repair began. */
  readonly settleMs?: number;
  /** Orders read from MongoDB at once. */
  readonly concurrency?: number;
}

const SETTLE_MS = 30_000;

/**
 * Checks that the index is whole on the node that answers, and repairs it when a failover or a
 * restart may have lost its last writes. Run by every instance on a timer; the repair itself by one.
 */
export async function keepIndexWhole(
  models: Models,
  index: OrderIndex,
  created: CreatedLog,
  logger: Logger,
  options: RepairOptions = {},
): Promise<RepairReport> {
  const started = Date.now();
  const report = (outcome: RepairReport['outcome'], orders = 0, logEntries = 0): RepairReport => ({
    outcome,
    orders,
    logEntries,
    ms: Date.now() - started,
  });
  const { node, verifiedOn } = await index.verification();
  if (verifiedOn === node) {
    // Committed offsets read before the checkpoint is written: never ahead of what the index holds.
    await index.recordCheckpoint(node, await created.committedOffsets(), false);
    return report('whole');
  }
  const lock = await takeRebuildLock(index, `repair-${randomUUID()}`);
  if (lock === undefined) return report('repairing elsewhere');
  try {
    const checkpoint = await index.checkpoint();
    if (verifiedOn === undefined && checkpoint.size === 0) {
      // Never checked (a new index, or one older than the checkpoint): nothing is known to be lost.
      await index.recordCheckpoint(node, await created.committedOffsets(), true);
      return report('begun');
    }
    // Verified on another node but no checkpoint came over with it: everything in orders.created is suspect.
    logger.warn('the order index is on a Redis node it was not verified on (a failover or a restart); repairing', {
      node,
      verifiedOn: verifiedOn ?? null,
    });
    const { ranges, settled } = await rangesToRepair(created, checkpoint, options.settleMs ?? SETTLE_MS);
    const ids = [...(await created.orderIdsBetween(ranges)).values()].flat();
    const { orders, logEntries } = await reapply(models, index, ranges, ids, options.concurrency ?? 16);
    const ends = new Map([...ranges].map(([partition, { to }]) => [partition, to]));
    // Verified only when every message handled before the failover was covered.
    const recorded = await index.recordCheckpoint(node, ends, settled);
    const outcome = settled && recorded ? 'repaired' : 'unfinished';
    const done = report(outcome, orders, logEntries);
    logger.warn('order index repair', { ...done });
    await index.noteRepair(done);
    return done;
  } finally {
    await lock.release();
  }
}

/**
 * From the checkpoint to the end `orders.created` had when the repair began, per partition, once the
 * processors have committed that far (or `settleMs` passed: then as far as they have, not settled).
 */
async function rangesToRepair(created: CreatedLog, checkpoint: ReadonlyMap<number, bigint>, settleMs: number) {
  const ends = await created.endOffsets();
  const deadline = Date.now() + settleMs;
  let committed = await created.committedOffsets();
  const behind = () => [...ends].some(([partition, end]) => (committed.get(partition) ?? 0n) < end);
  while (behind() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    committed = await created.committedOffsets();
  }
  const ranges = new Map<number, { from: bigint; to: bigint }>();
  for (const [partition, end] of ends) {
    const to = (committed.get(partition) ?? 0n) < end ? (committed.get(partition) ?? 0n) : end;
    const from = checkpoint.get(partition) ?? 0n;
    if (to > from) ranges.set(partition, { from, to });
  }
  return { ranges, settled: !behind() };
}

/** Applies the orders as MongoDB holds them, and puts back their changes' log entries in `ranges`. */
async function reapply(
  models: Models,
  index: OrderIndex,
  ranges: ReadonlyMap<number, { from: bigint; to: bigint }>,
  ids: readonly string[],
  concurrency: number,
) {
  const orders: Order[] = [];
  const changes: { change: StatusChange; order: Order }[] = [];
  const unique = [...new Set(ids)];
  // By _id, one at a time per worker: the development database answers a lookup by _id from its index.
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const doc = await models.Order.findById(unique[next++]!).lean();
      if (doc === null) continue;
      const order = orderFromDocument(doc);
      orders.push(order);
      for (let version = 2; version <= order.version; version++) {
        const stored = await models.StatusChange.findById(changeId(order._id, version)).lean();
        if (stored !== null) changes.push({ change: statusChangeFromDocument(stored), order });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await index.applyAll(orders);
  let logEntries = 0;
  for (const [partition, { from, to }] of ranges) {
    const entries = changes
      .filter(({ change }) => change.partition === partition && change.seq !== null)
      .filter(({ change }) => BigInt(change.seq!) >= from * 2n && BigInt(change.seq!) < to * 2n)
      .sort((a, b) => a.change.seq! - b.change.seq!)
      .map(({ change, order }) => ({
        seq: change.seq!,
        // What the processor logged for this change: its event and the order as it stood right after it.
        message: JSON.stringify({
          change: statusChangedEvent(change),
          order: orderToWire(orderAsOf(order, change.version)),
        }),
      }));
    logEntries += await index.restoreLog(partition, entries);
  }
  return { orders: orders.length, logEntries };
}
