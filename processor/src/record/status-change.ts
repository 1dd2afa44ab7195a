/**
 * A status change as the processor handles it: the claim document of one
 * decision, which is also the outbox of its event.
 */
import { changeId, type Models, type StreamPosition, type OrderStatus, type StatusChangeDoc } from '@orders/core';

export interface StatusChange {
  readonly _id: string;
  readonly orderId: string;
  readonly version: number;
  readonly previousStatus: OrderStatus | null;
  readonly status: OrderStatus;
  readonly error: string | null;
  readonly at: Date;
  readonly stockAfter: number | null;
  /** Its stream and place in it (see `positionOf`); null on a retry's change until the processor announces it. */
  readonly partition: number | null;
  readonly seq: number | null;
  readonly publishedAt: Date | null;
}

function fromDocument(doc: StatusChangeDoc & { _id: string }): StatusChange {
  return {
    _id: doc._id,
    orderId: doc.orderId,
    version: doc.version,
    previousStatus: doc.previousStatus ?? null,
    status: doc.status,
    error: doc.error ?? null,
    at: doc.at,
    stockAfter: doc.stockAfter ?? null,
    partition: doc.partition ?? null,
    seq: doc.seq ?? null,
    publishedAt: doc.publishedAt ?? null,
  };
}

/** The change that takes `orderId` to `version`, if someone made it. */
export async function findChange(models: Models, orderId: string, version: number): Promise<StatusChange | null> {
  const doc = await models.StatusChange.findById(changeId(orderId, version)).lean();
  return doc === null ? null : fromDocument(doc);
}

/**
 * The change placed at `position` of its stream, written down before it is announced: a subscriber
 * catching up from MongoDB must find it where the announcement said. A change keeps the place it was
 * given unless it was never announced and a later message of the stream now announces it.
 */
export async function sequenced(models: Models, change: StatusChange, position: StreamPosition): Promise<StatusChange> {
  if (change.partition === position.partition && change.seq === position.seq) return change;
  await models.StatusChange.updateOne(
    { _id: change._id },
    { $set: { partition: position.partition, seq: position.seq } },
  );
  return { ...change, ...position };
}
