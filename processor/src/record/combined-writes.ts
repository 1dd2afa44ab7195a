/**
 * The processor's writes, combined across the partitions it handles at once: their claims go to
 * MongoDB in one insert, their stock and order updates in one bulk write per collection. The same
 * documents are written in fewer round trips, and on loopback each round trip's socket write also
 * pays for the receiving side: at 75 orders per second those writes were a fifth of the processor's
 * CPU. Within a partition nothing changes: a message's writes are done before the next message is
 * handled. Each caller still learns whether its own document was written (a duplicate claim, say).
 */
import type { mongo } from 'mongoose';
import { Batcher, failuresByIndex, type Models } from '@orders/core';
import type { StatusChange } from './status-change.ts';

/** A `$set` (and maybe `$push`) on one document, found by `_id` alone: the only filter FerretDB indexes. */
export interface UpdateById {
  readonly _id: string;
  readonly update: { readonly $set: Record<string, unknown>; readonly $push?: Record<string, unknown> };
}

/** A collection whose documents are found by a string `_id`. */
type StringIdDocument = mongo.Document & { _id: string };
type ByStringId = mongo.Collection<StringIdDocument>;
const byStringId = (collection: unknown) => collection as ByStringId;

export class CombinedWrites {
  private readonly claims: Batcher<StatusChange>;
  private readonly orders: Batcher<UpdateById>;
  private readonly products: Batcher<UpdateById>;

  constructor(models: Models) {
    this.claims = new Batcher(async (changes) => {
      try {
        await byStringId(models.StatusChange.collection).insertMany(
          changes.map((change) => ({ ...change })),
          { ordered: false },
        );
      } catch (error) {
        return failuresByIndex(error);
      }
    });
    const updates = (collection: ByStringId) =>
      new Batcher<UpdateById>(async (items) => {
        const operations = items.map(({ _id, update }): mongo.AnyBulkWriteOperation<StringIdDocument> => ({
          // The driver's operator types refuse a `$push` into an untyped document; UpdateById fixes the shape.
          updateOne: { filter: { _id }, update: update as unknown as mongo.UpdateFilter<StringIdDocument> },
        }));
        try {
          await collection.bulkWrite(operations, { ordered: false });
        } catch (error) {
          return failuresByIndex(error);
        }
      });
    this.orders = updates(byStringId(models.Order.collection));
    this.products = updates(byStringId(models.Product.collection));
  }

  /** Inserts a claimed change; rejects with a duplicate-key error when the change exists already. */
  insertChange(change: StatusChange): Promise<void> {
    return this.claims.add(change);
  }

  updateOrder(update: UpdateById): Promise<void> {
    return this.orders.add(update);
  }

  updateProduct(update: UpdateById): Promise<void> {
    return this.products.add(update);
  }
}
