/**
 * A status change and what it does to its order. `applyChange` is the only place a change meets an
 * order: the processor's projection, the retry, the catch-up's past versions and the replay of the
 * event log all go through it, so that an order rebuilt from its changes is the order that was stored.
 */
import type { OrderStatusChangedEvent } from '../events.ts';
import type { StatusChangeDoc } from '../models.ts';
import { assertTransition, changeId, isDecision, type OrderStatus } from '../status.ts';
import { historyEntryFromDocument, type HistoryEntry, type Order } from './order.ts';

/** One status change of one order, as stored in `statuschanges` (its claim document). */
export interface StatusChange extends Readonly<HistoryEntry> {
  /** `<orderId>:<version>`: unique, so that one writer only can make the change. */
  readonly _id: string;
  readonly orderId: string;
  /** The product's stock after this change reserved it; null when nothing was reserved. */
  readonly stockAfter: number | null;
  /** Its stream and place in it (the processor's `positionOf`); null on a retry's change until the processor announces it. */
  readonly partition: number | null;
  readonly seq: number | null;
}

/** The change that takes `order` from its status to `status` at `at`; throws IllegalTransitionError when the machine forbids it. */
export function nextChange(
  order: Pick<Order, '_id' | 'status' | 'version'>,
  status: OrderStatus,
  details: { readonly at: Date; readonly error: string | null; readonly stockAfter: number | null },
): StatusChange {
  assertTransition(order.status, status);
  const version = order.version + 1;
  return {
    _id: changeId(order._id, version),
    orderId: order._id,
    version,
    previousStatus: order.status,
    status,
    error: details.error,
    at: details.at,
    stockAfter: details.stockAfter,
    partition: null,
    seq: null,
  };
}

/** A stored change (lean) with its absent fields made explicit. */
export function statusChangeFromDocument(doc: StatusChangeDoc & { _id: string }): StatusChange {
  return {
    _id: doc._id,
    orderId: doc.orderId,
    ...historyEntryFromDocument(doc),
    stockAfter: doc.stockAfter ?? null,
    partition: doc.partition ?? null,
    seq: doc.seq ?? null,
  };
}

/** The OrderStatusChanged v1 event that tells the world about a stored change. */
export function statusChangedEvent(
  change: Omit<StatusChange, 'stockAfter' | 'partition' | 'seq'> & {
    readonly partition?: number | null;
    readonly seq?: number | null;
  },
): OrderStatusChangedEvent {
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
    ...(change.partition != null && change.seq != null ? { partition: change.partition, seq: change.seq } : {}),
  };
}

/** The history entry an OrderStatusChanged event records. */
export function historyEntryOf(event: OrderStatusChangedEvent): HistoryEntry {
  return {
    version: event.version,
    previousStatus: event.previousStatus,
    status: event.status,
    at: new Date(event.at),
    error: event.error,
  };
}

/** The fields of an order a change sets; the rest of the order is what it was created with. */
const CHANGED_BY_A_CHANGE = [
  'status',
  'version',
  'attempts',
  'error',
  'processedAt',
  'failedAt',
  'updatedAt',
] as const satisfies readonly (keyof Order)[];
type ChangedField = (typeof CHANGED_BY_A_CHANGE)[number];

/** When an order reached a status, for the statuses whose time the order keeps in a field of its own. */
const STAMPED_AT = {
  PENDING: null,
  PROCESSED: 'processedAt',
  FAILED: 'failedAt',
} as const satisfies Record<OrderStatus, 'processedAt' | 'failedAt' | null>;

function fieldsAfter(order: Order, change: HistoryEntry): Pick<Order, ChangedField> {
  const stamp = STAMPED_AT[change.status];
  return {
    status: change.status,
    version: change.version,
    // One attempt per decision the processor makes; a retry's return to PENDING is none.
    attempts: order.attempts + (isDecision(order.status, change.status) ? 1 : 0),
    error: change.error,
    processedAt: stamp === 'processedAt' ? change.at : null,
    failedAt: stamp === 'failedAt' ? change.at : null,
    updatedAt: change.at,
  };
}

/**
 * The order after `change`. A change for another version than the next (one applied already, delivered
 * again, or one whose predecessor has not arrived) leaves the order as it is, the same object; a change
 * for the next version that the status machine forbids throws IllegalTransitionError.
 */
export function applyChange<O extends Order>(order: O, change: HistoryEntry): O {
  if (change.version !== order.version + 1) return order;
  assertTransition(order.status, change.status);
  const entry: HistoryEntry = {
    version: change.version,
    previousStatus: change.previousStatus,
    status: change.status,
    at: change.at,
    error: change.error,
  };
  return { ...order, ...fieldsAfter(order, entry), history: [...order.history, entry] };
}

/** The changes applied in version order, each once, however they were delivered (replay reads them so). */
export function applyChanges<O extends Order>(order: O, changes: readonly HistoryEntry[]): O {
  return [...changes].sort((a, b) => a.version - b.version).reduce<O>(applyChange, order);
}

/**
 * The MongoDB update that makes a stored order what `applyChange` makes of it, by `_id` alone, and the
 * order after it. Absolute values rather than `$inc`: written again, it sets the same. Null when the
 * change is not the order's next.
 */
export function orderUpdateFor<O extends Order>(
  order: O,
  change: HistoryEntry,
): { readonly order: O; readonly $set: Pick<Order, ChangedField>; readonly $push: { history: HistoryEntry } } | null {
  const after = applyChange(order, change);
  if (after === order) return null;
  const $set = Object.fromEntries(CHANGED_BY_A_CHANGE.map((field) => [field, after[field]])) as Pick<
    Order,
    ChangedField
  >;
  return { order: after, $set, $push: { history: after.history.at(-1)! } };
}

/**
 * The order as it stood right after the change that took it to `version`, rebuilt from its history
 * through `applyChange`: what a subscriber catching up on that change is shown, even when the order has
 * moved on since.
 */
export function orderAsOf<O extends Order>(order: O, version: number): O {
  if (version >= order.version) return order;
  const [first, ...later] = order.history;
  if (first === undefined || first.version > version) {
    throw new RangeError(`order ${order._id} has no history up to version ${version}`);
  }
  const created: O = {
    ...order,
    status: first.status,
    version: first.version,
    attempts: 0,
    error: first.error,
    processedAt: null,
    failedAt: null,
    updatedAt: first.at,
    history: [first],
  };
  return applyChanges(
    created,
    later.filter((entry) => entry.version <= version),
  );
}
