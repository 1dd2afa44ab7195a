/**
 * Getting a stored order to the processor: produce OrderCreated to Kafka,
 * keyed by SKU, so one processor decides each product's stock. Used by
 * createOrder, retryOrder and the outbox relay alike. That an order reached
 * Kafka is recorded in the order index (its unpublished mark is cleared, see
 * create-order.ts), not in MongoDB: a second publication of the same version
 * is harmless, since the processor decides each version once.
 */
import type { Message, Producer } from 'kafkajs';
import { Batcher, orderCreatedEvent, traceHeaders, type Order, type Topics } from '@orders/core';

export interface OrderPublisher {
  /**
   * Produces the order's current version to Kafka; throws if the broker did not acknowledge. `trace` (the
   * order's trace id, or a traceparent) goes on in the message's `traceparent` header.
   */
  sendOrderCreated(order: Order, trace?: string | null): Promise<void>;
}

/** Concurrent requests share their round trips: the events produced while a send is in flight go together in the next send. */
export function createOrderPublisher(producer: Producer, topics: Topics): OrderPublisher {
  const sends = new Batcher<Message>(async (messages) => {
    await producer.send({ topic: topics.created.name, acks: -1, messages });
  });
  return {
    async sendOrderCreated(order, trace) {
      const event = orderCreatedEvent(order);
      await sends.add({
        key: order.sku,
        value: JSON.stringify(event),
        headers: { orderId: order._id, ...traceHeaders(trace) },
      });
    },
  };
}
