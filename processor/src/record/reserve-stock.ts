/**
 * Reserving stock: the product's stock becomes what the change left. An
 * absolute set rather than a decrement, because FerretDB updates are not atomic
 * and a partition is replayed in order after a crash: replayed sets converge on
 * the last decision, where replayed decrements would take the stock twice.
 */
import type { Models } from '@orders/core';
import type { StatusChange } from './status-change.ts';

export async function reserveStock(models: Models, sku: string, change: StatusChange): Promise<void> {
  if (change.stockAfter === null) return;
  await models.Product.updateOne({ _id: sku }, { $set: { stock: change.stockAfter } });
}
