/**
 * Event contracts on Kafka and Redis. Every event carries a schema version `v`
 * so that a consumer can refuse what it does not understand instead of
 * misreading it.
 */
import { z } from 'zod';
import type { OnTheWire, Order } from './order/order.ts';
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
 * Published on the `order.created` channel. What travels on the Redis channels to every server
 * instance is the event and the order as it stands after it (dates as ISO strings), so that
 * subscribers need no database read.
 */
export interface OrderCreatedMessage {
  order: OnTheWire<Order>;
}

/** Published on the `order.status` channel. */
export interface OrderStatusMessage {
  change: OrderStatusChangedEvent;
  order: OnTheWire<Order>;
}
