/**
 * What is announced of a handled message, shared by the announcement queue, the status publisher, the
 * commit doubts and the offset tracker: in a file of its own, so that none of them imports another for it.
 */
import type { Order, StatusChange } from '@orders/core';

/** Where the message that caused a change was read: its offset commits with the change's event. */
export interface Consumed {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A change to announce, and its order as it stands now (at the change's version or later). */
export interface Announcement {
  readonly change: StatusChange;
  readonly order: Order;
  /** The order's trace, carried on to the event's Kafka headers and its Redis message (see trace/order-traces.ts). */
  readonly traceparent?: string;
}
