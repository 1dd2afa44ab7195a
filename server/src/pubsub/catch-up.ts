/**
 * Catching up: the status changes a subscriber has not seen, read from
 * MongoDB. Changes are stored with their stream and sequence before they are
 * announced, so whatever Redis carried while a client (or this instance) was
 * away is found here, in the order it was announced.
 *
 * Reads that arrive together share one query: after a restart, thousands of
 * clients come back with cursors at about the same point, and a MongoDB-wire
 * server without secondary indexes scans the collection for each query.
 */
import mongoose from 'mongoose';
import {
  snapshotAsOf,
  snapshotOf,
  statusChangedEvent,
  type Models,
  type OrderSnapshot,
  type OrderStatusMessage,
  type StatusChangeDoc,
} from '@orders/core';
import { badInput } from '../errors.ts';
import { isAfter, type Vector } from './cursor.ts';

/** A stored change that has a place in a stream. */
export type PlacedChange = Pick<
  StatusChangeDoc,
  'orderId' | 'version' | 'previousStatus' | 'status' | 'error' | 'at'
> & { _id: string; partition: number; seq: number };

/** A status message whose change has its place: `change.partition` and `change.seq` are set. */
export type PlacedMessage = OrderStatusMessage & { change: { partition: number; seq: number } };

/**
 * The messages for `changes` after `after`, in the order their streams announced them: by sequence
 * within a stream, streams interleaved by time. A stream stops at its first change not yet written
 * onto its order: its writer has not announced it, and the live feed will carry it and what follows.
 */
export function arrange(
  changes: readonly PlacedChange[],
  orders: ReadonlyMap<string, OrderSnapshot>,
  after: Vector,
): PlacedMessage[] {
  const streams = new Map<number, PlacedChange[]>();
  for (const change of changes) {
    if (!isAfter(after, change.partition, change.seq)) continue;
    const stream = streams.get(change.partition) ?? [];
    stream.push(change);
    streams.set(change.partition, stream);
  }
  const ready: PlacedMessage[][] = [];
  for (const stream of streams.values()) {
    stream.sort((a, b) => a.seq - b.seq);
    const messages: PlacedMessage[] = [];
    for (const change of stream) {
      const order = orders.get(change.orderId);
      if (order === undefined || order.version < change.version) break;
      const event = statusChangedEvent(change);
      messages.push({
        change: { ...event, partition: change.partition, seq: change.seq },
        order: snapshotAsOf(order, change.version),
      });
    }
    if (messages.length > 0) ready.push(messages);
  }
  // Merge the streams by time, each kept in its own order.
  const merged: PlacedMessage[] = [];
  const next = ready.map(() => 0);
  for (;;) {
    let pick = -1;
    for (const [index, messages] of ready.entries()) {
      const candidate = messages[next[index]!];
      if (candidate === undefined) continue;
      if (pick === -1 || candidate.change.at < ready[pick]![next[pick]!]!.change.at) pick = index;
    }
    if (pick === -1) return merged;
    merged.push(ready[pick]![next[pick]!++]!);
  }
}

/** The point before both `a` and `b`: a partition either has not seen is read from its start. */
function earliest(a: Vector, b: Vector): Map<number, number> {
  const common = new Map<number, number>();
  for (const [partition, seq] of a) {
    const other = b.get(partition);
    if (other !== undefined) common.set(partition, Math.min(seq, other));
  }
  return common;
}

interface Request {
  readonly after: Vector;
  resolve(messages: PlacedMessage[]): void;
  reject(error: unknown): void;
}

/** How many orders are read from MongoDB at once while catching up. */
const ORDER_READS_AT_ONCE = 32;

export class CatchUpReader {
  private pending: Request[] = [];
  private reading: Promise<void> | undefined;

  /** `limit`: the most changes one subscriber may have missed; further behind, it must re-read the lists. */
  constructor(
    private readonly models: Models,
    private readonly limit: number,
  ) {}

  /** The changes after `after`, in order; rejects with BAD_USER_INPUT when there are more than `limit`. */
  read(after: Vector): Promise<PlacedMessage[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ after, resolve, reject });
      this.reading ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    await Promise.resolve();
    while (this.pending.length > 0) {
      const requests = this.pending;
      this.pending = [];
      try {
        const from = requests.map((request) => request.after).reduce(earliest);
        const { changes, orders } = await this.load(from, this.limit * requests.length);
        for (const request of requests) {
          const messages = arrange(changes, orders, request.after);
          if (messages.length > this.limit || changes.length > this.limit * requests.length) {
            request.reject(
              badInput(
                `after: more than ${this.limit} changes were made since this cursor; ` +
                  'read the orders query, then subscribe again without `after`',
                'after',
              ),
            );
          } else request.resolve(messages);
        }
      } catch (error) {
        for (const request of requests) request.reject(error);
      }
    }
    this.reading = undefined;
  }

  private async load(from: Vector, limit: number) {
    const known = [...from.keys()];
    // Operators are refused in filters unless marked trusted (sanitizeFilter): these are ours.
    const { trusted } = mongoose;
    const changes = await this.models.StatusChange.find({
      $or: [
        ...[...from].map(([partition, seq]) => ({ partition, seq: trusted({ $gt: seq }) })),
        { partition: trusted({ $nin: known, $ne: null }), seq: trusted({ $ne: null }) },
      ],
    })
      .limit(limit + 1)
      .lean<PlacedChange[]>();
    const orders = new Map<string, OrderSnapshot>();
    const ids = [...new Set(changes.map((change) => change.orderId))];
    // One lookup by _id each: the only read FerretDB's SQLite backend serves from an index.
    for (let start = 0; start < ids.length; start += ORDER_READS_AT_ONCE) {
      const docs = await Promise.all(
        ids.slice(start, start + ORDER_READS_AT_ONCE).map((id) => this.models.Order.findById(id).lean()),
      );
      for (const doc of docs) if (doc !== null) orders.set(doc._id, snapshotOf(doc));
    }
    return { changes, orders };
  }
}
