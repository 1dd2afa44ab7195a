/**
 * The processor's writes, combined across the partitions it handles at once: their claims go to
 * MongoDB in one insert, their stock and order updates in one bulk write per collection. The same
 * documents are written in fewer round trips (each round trip on loopback also costs the receiving
 * side). Within a partition nothing changes: a message's writes are done before the next message is
 * handled. Each caller still learns what became of its own document: a duplicate claim, or an
 * update that found no document.
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

/**
 * The most update statements in one command. FerretDB 1.24 (its SQLite backend) holds a connection for
 * each statement of an update command until the whole command is done, from a pool of 100 per
 * database: a command of more than 100 statements waits for itself for ever, and with it every client
 * of that database (seen: one run of 200 orders stopped the server). Kept far below, so that two
 * processors' orders and products updates and everyone's inserts fit in the pool together.
 */
const MAX_STATEMENTS = 16;

/**
 * The most documents in one ordered insert. FerretDB 1.24 inserts a command's documents 100 at a time
 * and stops at an error only within those 100: an ordered insert of 150 whose first document exists
 * already writes the last 50 (seen: claims decided against stale stock, written after a crash).
 */
const ORDERED_CHUNK = 50;

/** Thrown to the caller whose update found no document with its `_id`. */
export class NoSuchDocumentError extends Error {
  override readonly name = 'NoSuchDocumentError';
  readonly code = 'NO_SUCH_DOCUMENT';
}

export class CombinedWrites {
  private readonly claims: Batcher<StatusChange>;
  private readonly orders: Batcher<UpdateById>;
  private readonly products: Batcher<UpdateById>;

  constructor(private readonly models: Models) {
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
        let matched: number;
        try {
          matched = (await collection.bulkWrite(operations, { ordered: false })).matchedCount;
        } catch (error) {
          return failuresByIndex(error);
        }
        if (matched === items.length) return;
        // Some update found nothing (an event naming an order that was never stored): say which, by a read.
        const ids = items.map((item) => item._id);
        const found = new Set(
          (await collection.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id),
        );
        return new Map(
          ids.flatMap((id, index) =>
            found.has(id) ? [] : [[index, new NoSuchDocumentError(`no document with _id "${id}" to update`)] as const],
          ),
        );
      }, MAX_STATEMENTS);
    this.orders = updates(byStringId(models.Order.collection));
    this.products = updates(byStringId(models.Product.collection));
  }

  /**
   * Inserts the claims of a run of one partition's messages, in order, alone: the first that exists
   * already (or fails) stops the rest. Resolves with how many were written, a prefix of `changes`.
   */
  async insertChangesInOrder(changes: readonly StatusChange[]): Promise<number> {
    const collection = byStringId(this.models.StatusChange.collection);
    for (let from = 0; from < changes.length; from += ORDERED_CHUNK) {
      const chunk = changes.slice(from, from + ORDERED_CHUNK);
      try {
        await collection.insertMany(
          chunk.map((change) => ({ ...change })),
          { ordered: true },
        );
      } catch (error) {
        return from + [...failuresByIndex(error).keys()].reduce((low, index) => Math.min(low, index), chunk.length);
      }
    }
    return changes.length;
  }

  /** Inserts a claimed change; rejects with a duplicate-key error when the change exists already. */
  insertChange(change: StatusChange): Promise<void> {
    return this.claims.add(change);
  }

  /** Updates an order by `_id`; rejects with NoSuchDocumentError when there is none. */
  updateOrder(update: UpdateById): Promise<void> {
    return this.orders.add(update);
  }

  updateProduct(update: UpdateById): Promise<void> {
    return this.products.add(update);
  }

  /** Removes a claim that turned out to be about no stored order. */
  async removeChange(id: string): Promise<void> {
    await this.models.StatusChange.deleteOne({ _id: id });
  }
}
