/**
 * The order, once: its type as clients see it (`Order`), the document MongoDB stores
 * (`OrderDocument`), and every conversion between them, the wire (Redis messages, dates as
 * ISO strings) and the `OrderCreated` event. A new field goes into the mongoose schema
 * (../models.ts) and here (and, for clients to see it, into the GraphQL type in
 * server/src/schema/order/types.ts); the compiler finds every conversion that does not carry it.
 */
import type { InferSchemaType } from 'mongoose';
import type { OrderCreatedEvent } from '../events.ts';
import type { orderSchema } from '../models.ts';
import type { OrderStatus } from '../status.ts';

/** One status the order has had: the change that took it to `version`. */
export interface HistoryEntry {
  version: number;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  at: Date;
  error: string | null;
}

/**
 * The order as clients see it: what the API shows, what the index lists and subscribers are told.
 * (A type rather than an interface, so that the MongoDB driver takes its documents as they are.)
 */
export type Order = {
  _id: string;
  orderNumber: string;
  customerId: string;
  sku: string;
  quantity: number;
  total: number;
  status: OrderStatus;
  version: number;
  /** How many times the processor has decided the order (see `applyChange`). */
  attempts: number;
  error: string | null;
  createdAt: Date;
  processedAt: Date | null;
  failedAt: Date | null;
  updatedAt: Date;
  history: HistoryEntry[];
};

/** The order as stored: every field of the `orders` collection, none left out. */
export type OrderDocument = Order & {
  /** Request metadata, not order state: never shown, never on the wire nor in the event log. */
  idempotencyKey: string | null;
  /**
   * The W3C trace id of the request that created the order: its republications and retries carry it on
   * (core/src/trace/). Request metadata too; absent on orders stored before traces.
   */
  traceId?: string | null;
};

/** A value as JSON carries it: dates become ISO strings. */
export type OnTheWire<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? OnTheWire<Item>[]
    : T extends object
      ? { [K in keyof T]: OnTheWire<T[K]> }
      : T;

/** A document as a read gives it back: a field that may be null may also be missing (written by older code). */
type AsRead<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as null extends T[K] ? K : never]?: T[K] | undefined;
};

/** Fails to compile when the mongoose schema and `OrderDocument` do not name the same fields. */
type SameFields<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const schemaHasEveryField: SameFields<InferSchemaType<typeof orderSchema>, OrderDocument> = true;
void schemaHasEveryField;

/** What only the request that creates an order knows; the rest of a new order follows from it. */
export type NewOrderFields = Pick<
  OrderDocument,
  '_id' | 'orderNumber' | 'customerId' | 'sku' | 'quantity' | 'total' | 'idempotencyKey' | 'traceId' | 'createdAt'
>;

/** A new order's document, its fields in the schema's order: PENDING at version 1, never attempted. */
export function newOrderDocument(fields: NewOrderFields): OrderDocument {
  const { createdAt } = fields;
  return {
    _id: fields._id,
    orderNumber: fields.orderNumber,
    customerId: fields.customerId,
    sku: fields.sku,
    quantity: fields.quantity,
    total: fields.total,
    status: 'PENDING',
    version: 1,
    attempts: 0,
    error: null,
    idempotencyKey: fields.idempotencyKey,
    ...(fields.traceId === undefined ? {} : { traceId: fields.traceId }),
    createdAt,
    processedAt: null,
    failedAt: null,
    updatedAt: createdAt,
    history: [{ version: 1, previousStatus: null, status: 'PENDING', at: createdAt, error: null }],
  };
}

/**
 * The order a first `OrderCreated` (version 1) describes, as the server stored it: the event carries
 * every field of a new order, so its processor need not read it back. Null for a retry's event (its
 * order has a history only the record holds) and for an event without the order's full fields.
 */
export function newOrder(event: OrderCreatedEvent): Order | null {
  if (event.version !== 1 || event.orderNumber === undefined || event.total === undefined) return null;
  if (event.createdAt === undefined || event.createdAt !== event.at) return null;
  const { idempotencyKey: _, ...order } = newOrderDocument({
    _id: event.orderId,
    orderNumber: event.orderNumber,
    customerId: event.customerId,
    sku: event.sku,
    quantity: event.quantity,
    total: event.total,
    idempotencyKey: null,
    createdAt: new Date(event.createdAt),
  });
  return order;
}

/** The `OrderCreated` event that takes the order's current version to the processor. */
export function orderCreatedEvent(order: Order): OrderCreatedEvent {
  return {
    v: 1,
    type: 'OrderCreated',
    orderId: order._id,
    version: order.version,
    customerId: order.customerId,
    sku: order.sku,
    quantity: order.quantity,
    at: order.updatedAt.toISOString(),
    orderNumber: order.orderNumber,
    total: order.total,
    createdAt: order.createdAt.toISOString(),
  };
}

/** A stored order (lean, as read) as clients see it: absent fields made explicit, request metadata left out. */
export function orderFromDocument(doc: Omit<AsRead<Order>, 'history'> & { history?: AsRead<HistoryEntry>[] }): Order {
  return {
    _id: doc._id,
    orderNumber: doc.orderNumber,
    customerId: doc.customerId,
    sku: doc.sku,
    quantity: doc.quantity,
    total: doc.total,
    status: doc.status,
    version: doc.version,
    attempts: doc.attempts,
    error: doc.error ?? null,
    createdAt: doc.createdAt,
    processedAt: doc.processedAt ?? null,
    failedAt: doc.failedAt ?? null,
    updatedAt: doc.updatedAt,
    history: (doc.history ?? []).map(historyEntryFromDocument),
  };
}

/** A stored history entry (or the same fields of a stored status change) with its absent fields made explicit. */
export function historyEntryFromDocument(entry: AsRead<HistoryEntry>): HistoryEntry {
  return {
    version: entry.version,
    previousStatus: entry.previousStatus ?? null,
    status: entry.status,
    at: entry.at,
    error: entry.error ?? null,
  };
}

/** The order as it goes on the wire (Redis messages): exactly the fields of `Order`, dates as ISO strings. */
export function orderToWire(order: Order): OnTheWire<Order> {
  return {
    _id: order._id,
    orderNumber: order.orderNumber,
    customerId: order.customerId,
    sku: order.sku,
    quantity: order.quantity,
    total: order.total,
    status: order.status,
    version: order.version,
    attempts: order.attempts,
    error: order.error,
    createdAt: order.createdAt.toISOString(),
    processedAt: order.processedAt?.toISOString() ?? null,
    failedAt: order.failedAt?.toISOString() ?? null,
    updatedAt: order.updatedAt.toISOString(),
    history: order.history.map((entry) => ({
      version: entry.version,
      previousStatus: entry.previousStatus,
      status: entry.status,
      at: entry.at.toISOString(),
      error: entry.error,
    })),
  };
}

/** An order from a Redis message back to what clients see. */
export function orderFromWire(wire: OnTheWire<Order>): Order {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return {
    ...wire,
    createdAt: new Date(wire.createdAt),
    processedAt: date(wire.processedAt),
    failedAt: date(wire.failedAt),
    updatedAt: new Date(wire.updatedAt),
    history: wire.history.map((entry) => ({ ...entry, at: new Date(entry.at) })),
  };
}
