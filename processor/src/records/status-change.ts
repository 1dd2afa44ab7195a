/**
 * Status changes as the processor finds and places them: the claim document of
 * one decision (or of a retry's return to PENDING, written by the server).
 */
import { changeId, statusChangeFromDocument, type Models, type StatusChange } from '@orders/core';
import type { StreamPosition } from './sequence.ts';

export type { StatusChange };

/** The change that takes `orderId` to `version`, if someone made it. */
export async function findChange(models: Models, orderId: string, version: number): Promise<StatusChange | null> {
  const doc = await models.StatusChange.findById(changeId(orderId, version)).lean();
  return doc === null ? null : statusChangeFromDocument(doc);
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
