/**
 * Where a server notes, before it writes an order (created or retried), that the order's new version may
 * not reach Kafka: the outbox relay finds stranded orders by these marks alone, never by a query over
 * the orders. The mark goes to the order index in Redis; when Redis does not answer, it goes to a small
 * MongoDB collection instead, so that an order taken while Redis is away (and perhaps Kafka too) is
 * still found after a crash. That collection holds only the orders of an outage until the relay has
 * seen them, and is read by `_id` or in bounded batches: the development database queries nothing else
 * efficiently (see the architecture notes).
 *
 * When neither store takes the mark, the write does not begin: the caller fails with nothing done.
 */
import type { mongo } from 'mongoose';
import { isDuplicateKey, type Logger, type OrderIndex } from '@orders/core';

/** The collection of marks held in MongoDB while Redis is away. */
export const HELD_MARKS_COLLECTION = 'unpublishedorders';

/** A mark held in MongoDB: the order's id, and when it was made. */
export interface HeldMark {
  _id: string;
  at: Date;
}

/**
 * What marking found: `'made'` (in the index), `'there'` (an earlier request's, in either store, not
 * yet cleared) or `'held'` (made in MongoDB, Redis did not answer).
 */
export type Mark = 'made' | 'there' | 'held';

export class UnpublishedMarks {
  constructor(
    readonly index: OrderIndex,
    private readonly held: mongo.Collection<HeldMark>,
    private readonly logger: Logger,
  ) {}

  /** Marks the order before its write; rejects (and nothing is marked) only when neither store answers. */
  async mark(id: string): Promise<Mark> {
    try {
      return (await this.index.markUnpublished(id)) ? 'made' : 'there';
    } catch (error) {
      this.logger.warn('could not mark an order unpublished in the index; holding the mark in MongoDB', {
        orderId: id,
        error,
      });
    }
    try {
      await this.held.insertOne({ _id: id, at: new Date() });
      return 'held';
    } catch (error) {
      if (isDuplicateKey(error)) return 'there';
      throw error;
    }
  }

  /**
   * Drops a mark this request made once its order is in Kafka. An index mark goes with the index write
   * (`published`); a held one goes here. Failing to drop it only makes the relay publish once more.
   */
  async published(id: string, mark: Mark): Promise<void> {
    try {
      if (mark === 'made') await this.index.clearUnpublished([id]);
      if (mark === 'held') await this.dropHeld(id);
    } catch (error) {
      this.logger.warn('could not clear an unpublished mark; the outbox relay will publish the order again', {
        orderId: id,
        error,
      });
    }
  }

  /** Held marks made at or before `cutoff` (ms), at most `limit` of them; which ones is the store's choice. */
  async heldBefore(cutoff: number, limit: number): Promise<{ id: string; at: number }[]> {
    // No filter and no sort: a scan of the marks of one outage, bounded by `limit`, rather than a query
    // on `at`, which the development database answers by scanning anyway. Fresh marks are skipped here
    // and met again on a later pass.
    const marks = await this.held.find({}, { limit }).toArray();
    return marks.filter((mark) => mark.at.getTime() <= cutoff).map((mark) => ({ id: mark._id, at: mark.at.getTime() }));
  }

  async dropHeld(id: string): Promise<void> {
    await this.held.deleteOne({ _id: id });
  }

  countHeld(): Promise<number> {
    return this.held.estimatedDocumentCount();
  }
}
