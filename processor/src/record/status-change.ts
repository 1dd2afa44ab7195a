/**
 * A status change as the processor handles it: the claim document of one
 * decision (or of a retry's return to PENDING, written by the server).
 */
import { changeId, type Models, type OrderStatus, type StatusChangeDoc, type StreamPosition } from '@orders/core';

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
  };
}

/** The change that takes `orderId` to `version`, if someone made it. */
export async function findChange(models: Models, orderId: string, version: number): Promise<StatusChange | null> {
  const doc = await models.StatusChange.findById(changeId(orderId, version)).lean();
  return doc === null ? null : fromDocument(doc);
}

/**
 * Whether a change found by a message at `position` is that message's to announce. A change is
 * announced by the message at the place it was given, in the Kafka transaction that commits that
 * message's offset. So a change placed here was not announced (a message is delivered again only when
 * its transaction did not commit), a change placed nowhere yet (a retry's, or one an attempt claimed
 * before it could place it) is announced here, and a change placed at another message was announced
 * by that one: before this owner started (committed), or by this owner earlier in the same order.
 */
export function isToAnnounceAt(change: StatusChange, position: StreamPosition): boolean {
  if (change.partition === null || change.seq === null) return true;
  return change.partition === position.partition && change.seq === position.seq;
}

/**
 * The change placed at `position` of its stream, written down before it is announced: a subscriber
 * resuming from a cursor must find it where the announcement said. Only a change placed nowhere yet
 * is written; one placed here already is returned as it is.
 */
export async function sequenced(models: Models, change: StatusChange, position: StreamPosition): Promise<StatusChange> {
  if (change.partition === position.partition && change.seq === position.seq) return change;
  await models.StatusChange.updateOne(
    { _id: change._id },
    { $set: { partition: position.partition, seq: position.seq } },
  );
  return { ...change, ...position };
}
