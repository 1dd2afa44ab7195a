/**
 * Getting a stored order to the processor: produce OrderCreated to Kafka
 * (keyed by SKU, so one processor decides each product's stock), record that
 * it was published, and tell the subscribers. Used by createOrder, retryOrder
 * and the outbox relay alike.
 */
import type { Message, Producer } from 'kafkajs';
import { Batcher, changeId, onlyDuplicateKeys, type Models, type OrderCreatedEvent, type Topics } from '@orders/core';
import type { OrderShape } from './shape.ts';

export interface OrderPublisher {
  /** Produces the order's current version to Kafka and records it; throws if the broker did not acknowledge. */
  publish(order: OrderShape): Promise<void>;
  isPublished(order: Pick<OrderShape, '_id' | 'version'>): Promise<boolean>;
}

/**
 * Concurrent requests share their round trips: the events produced while a send is in flight go
 * together in the next send, and their publication records in one insertMany.
 */
export function createOrderPublisher(models: Models, producer: Producer, topics: Topics): OrderPublisher {
  const sends = new Batcher<Message>(async (messages) => {
    await producer.send({ topic: topics.created.name, acks: -1, messages });
  });
  const records = new Batcher<string>(async (ids) => {
    const now = new Date();
    try {
      await models.Publication.collection.insertMany(
        ids.map((_id): Record<string, unknown> => ({ _id, publishedAt: now })),
        { ordered: false },
      );
    } catch (error) {
      // Recorded before (the relay and a request both published): the record stands either way.
      if (!onlyDuplicateKeys(error)) throw error;
    }
  });
  return {
    async publish(order) {
      const event: OrderCreatedEvent = {
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
      await sends.add({ key: order.sku, value: JSON.stringify(event), headers: { orderId: order._id } });
      await records.add(changeId(order._id, order.version));
    },
    async isPublished(order) {
      return (await models.Publication.exists({ _id: changeId(order._id, order.version) })) !== null;
    },
  };
}
