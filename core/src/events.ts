/**
 * Event contracts on Kafka and Redis. Every event carries a schema version `v`
 * so that a consumer can refuse what it does not understand instead of
 * misreading it.
 */
import { z } from 'zod';
import { ORDER_STATUSES } from './status.ts';

const status = z.enum(ORDER_STATUSES);
const isoDate = z.iso.datetime();

/** `orders.created`, keyed by SKU: one order (or a retry of it) is waiting for the processor. */
export const OrderCreatedEvent = z.object({
  v: z.literal(1),
  type: z.literal('OrderCreated'),
  orderId: z.string().min(1),
  version: z.number().int().positive(),
  customerId: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  at: isoDate,
  /** The rest of the order as stored, so that the event log alone can rebuild it (replay). */
  orderNumber: z.string().optional(),
  total: z.number().optional(),
  createdAt: isoDate.optional(),
});
export type OrderCreatedEvent = z.infer<typeof OrderCreatedEvent>;

/** `orders.status`, keyed by order id: one decision about one order. */
export const OrderStatusChangedEvent = z.object({
  v: z.literal(1),
  type: z.literal('OrderStatusChanged'),
  changeId: z.string().min(1),
  orderId: z.string().min(1),
  version: z.number().int().positive(),
  previousStatus: status.nullable(),
  status,
  error: z.string().nullable(),
  at: isoDate,
  /** The change's stream (a partition of `orders.created`) and its place in it; absent on events written before sequences. */
  partition: z.number().int().nonnegative().optional(),
  seq: z.number().int().nonnegative().optional(),
});
export type OrderStatusChangedEvent = z.infer<typeof OrderStatusChangedEvent>;

/**
 * The order a first `OrderCreated` (version 1) describes, as the server stored it: the event carries
 * every field of a new order, so its processor need not read it back. Null for a retry's event (its
 * order has a history only the record holds) and for an event without the order's full fields.
 */
export function newOrderOf(event: OrderCreatedEvent): Parameters<typeof snapshotOf>[0] | null {
  if (event.version !== 1 || event.orderNumber === undefined || event.total === undefined) return null;
  if (event.createdAt === undefined || event.createdAt !== event.at) return null;
  const createdAt = new Date(event.createdAt);
  return {
    _id: event.orderId,
    orderNumber: event.orderNumber,
    customerId: event.customerId,
    sku: event.sku,
    quantity: event.quantity,
    total: event.total,
    status: 'PENDING',
    version: 1,
    attempts: 0,
    error: null,
    createdAt,
    processedAt: null,
    failedAt: null,
    updatedAt: createdAt,
    history: [{ version: 1, previousStatus: null, status: 'PENDING', at: createdAt, error: null }],
  };
}

/** Why a message went to the dead-letter topic. */
export const DeadLetter = z.object({
  reason: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  key: z.string().nullable(),
  value: z.string().nullable(),
  at: isoDate,
});
export type DeadLetter = z.infer<typeof DeadLetter>;

export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';
  readonly code = 'UNREADABLE_EVENT';
}

/** Parses a Kafka message value into an OrderCreated event, or says exactly why it cannot. */
export function parseOrderCreated(value: Buffer | null): OrderCreatedEvent {
  if (value === null) throw new UnreadableEventError('the message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    throw new UnreadableEventError('the message is not JSON');
  }
  const result = OrderCreatedEvent.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'message';
    throw new UnreadableEventError(`not an OrderCreated v1 event: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * What travels on the Redis channels to every server instance: the event and
 * the order as it stands after it, so that subscribers need no database read.
 * Dates are ISO strings on the wire.
 */
export interface OrderSnapshot {
  _id: string;
  orderNumber: string;
  customerId: string;
  sku: string;
  quantity: number;
  total: number;
  status: (typeof ORDER_STATUSES)[number];
  version: number;
  attempts: number;
  error: string | null;
  createdAt: string;
  processedAt: string | null;
  failedAt: string | null;
  updatedAt: string;
  history: {
    version: number;
    previousStatus: (typeof ORDER_STATUSES)[number] | null;
    status: (typeof ORDER_STATUSES)[number];
    at: string;
    error: string | null;
  }[];
}

/** Published on the `order.created` channel. */
export interface OrderCreatedMessage {
  order: OrderSnapshot;
}

/** Published on the `order.status` channel. */
export interface OrderStatusMessage {
  change: OrderStatusChangedEvent;
  order: OrderSnapshot;
}

/** The snapshot of an order document (dates as ISO strings), as it goes on the wire. */
export function snapshotOf(order: {
  _id: string;
  orderNumber: string;
  customerId: string;
  sku: string;
  quantity: number;
  total: number;
  status: (typeof ORDER_STATUSES)[number];
  version: number;
  attempts: number;
  error?: string | null;
  createdAt: Date;
  processedAt?: Date | null;
  failedAt?: Date | null;
  updatedAt: Date;
  history?: {
    version: number;
    previousStatus?: (typeof ORDER_STATUSES)[number] | null;
    status: (typeof ORDER_STATUSES)[number];
    at: Date;
    error?: string | null;
  }[];
}): OrderSnapshot {
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
    error: order.error ?? null,
    createdAt: order.createdAt.toISOString(),
    processedAt: order.processedAt?.toISOString() ?? null,
    failedAt: order.failedAt?.toISOString() ?? null,
    updatedAt: order.updatedAt.toISOString(),
    history: (order.history ?? []).map((entry) => ({
      version: entry.version,
      previousStatus: entry.previousStatus ?? null,
      status: entry.status,
      at: entry.at.toISOString(),
      error: entry.error ?? null,
    })),
  };
}

/**
 * The order as it stood right after the change that took it to `version`,
 * rebuilt from its history: what a subscriber catching up on that change is
 * shown, even when the order has moved on since.
 */
export function snapshotAsOf(order: OrderSnapshot, version: number): OrderSnapshot {
  if (version >= order.version) return order;
  const history = order.history.filter((entry) => entry.version <= version);
  const last = history.at(-1);
  if (last === undefined) throw new RangeError(`order ${order._id} has no history up to version ${version}`);
  return {
    ...order,
    status: last.status,
    version: last.version,
    error: last.error,
    // Every decision follows a PENDING: that is one attempt.
    attempts: history.filter((entry) => entry.previousStatus === 'PENDING').length,
    processedAt: last.status === 'PROCESSED' ? last.at : null,
    failedAt: last.status === 'FAILED' ? last.at : null,
    updatedAt: last.at,
    history,
  };
}

/** A status change as stored (the `statuschanges` collection), in the fields its event needs. */
export interface StoredStatusChange {
  readonly _id: string;
  readonly orderId: string;
  readonly version: number;
  readonly previousStatus?: (typeof ORDER_STATUSES)[number] | null;
  readonly status: (typeof ORDER_STATUSES)[number];
  readonly error?: string | null;
  readonly at: Date;
  readonly partition?: number | null;
  readonly seq?: number | null;
}

/** The OrderStatusChanged v1 event that tells the world about a stored change. */
export function statusChangedEvent(change: StoredStatusChange): OrderStatusChangedEvent {
  return {
    v: 1,
    type: 'OrderStatusChanged',
    changeId: change._id,
    orderId: change.orderId,
    version: change.version,
    previousStatus: change.previousStatus ?? null,
    status: change.status,
    error: change.error ?? null,
    at: change.at.toISOString(),
    ...(change.partition != null && change.seq != null ? { partition: change.partition, seq: change.seq } : {}),
  };
}
