/**
 * Reserving stock: the product's stock becomes what the change left. An
 * absolute set rather than a decrement, because FerretDB updates are not atomic
 * and a partition is replayed in order after a crash: replayed sets converge on
 * the last decision, where replayed decrements would take the stock twice.
 * Written before the change is projected onto its order and announced, so the
 * stock in MongoDB is never behind a decision anyone has seen.
 */
import type { CombinedWrites } from './combined-writes.ts';
import type { StatusChange } from './status-change.ts';

export async function reserveStock(writes: CombinedWrites, sku: string, change: StatusChange): Promise<void> {
  if (change.stockAfter === null) return;
  await writes.updateProduct({ _id: sku, update: { $set: { stock: change.stockAfter } } });
}
