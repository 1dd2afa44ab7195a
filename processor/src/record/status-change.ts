/**
 * A status change as the processor handles it: the claim document of one
 * decision, which is also the outbox of its event.
 */
import {
  changeId,
  type Models,
  type OrderStatus,
  type OrderStatusChangedEvent,
  type StatusChangeDoc,
} from '@orders/core';

export interface StatusChange {
  readonly _id: string;
  readonly orderId: string;
  readonly version: number;
  readonly previousStatus: OrderStatus | null;
  readonly status: OrderStatus;
  readonly error: string | null;
  readonly at: Date;
  readonly stockAfter: number | null;
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
    publishedAt: doc.publishedAt ?? null,
  };
}

/** The change that takes `orderId` to `version`, if someone made it. */
export async function findChange(models: Models, orderId: string, version: number): Promise<StatusChange | null> {
  const doc = await models.StatusChange.findById(changeId(orderId, version)).lean();
  return doc === null ? null : fromDocument(doc);
}

/** The OrderStatusChanged v1 event that tells the world about a change. */
export function statusChangedEvent(change: StatusChange): OrderStatusChangedEvent {
  return {
    v: 1,
    type: 'OrderStatusChanged',
    changeId: change._id,
    orderId: change.orderId,
    version: change.version,
    previousStatus: change.previousStatus,
    status: change.status,
    error: change.error,
    at: change.at.toISOString(),
  };
}
