/**
 * Getting a stored order to the processor: produce OrderCreated to Kafka
 * (keyed by SKU, so one processor decides each product's stock), record that
 * it was published, and tell the subscribers. Used by createOrder, retryOrder
 * and the outbox relay alike.
 */
import type { Producer } from 'kafkajs';
import { changeId, isDuplicateKey, type Models, type OrderCreatedEvent, type Topics } from '@orders/core';
import type { OrderShape } from './shape.ts';

export interface OrderPublisher {
  /** Produces the order's current version to Kafka and records it; throws if the broker did not acknowledge. */
  publish(order: OrderShape): Promise<void>;
  isPublished(order: Pick<OrderShape, '_id' | 'version'>): Promise<boolean>;
}

export function createOrderPublisher(models: Models, producer: Producer, topics: Topics): OrderPublisher {
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
      await producer.send({
        topic: topics.created.name,
        acks: -1,
        messages: [{ key: order.sku, value: JSON.stringify(event), headers: { orderId: order._id } }],
      });
      try {
        await models.Publication.create({ _id: changeId(order._id, order.version), publishedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },
    async isPublished(order) {
      return (await models.Publication.exists({ _id: changeId(order._id, order.version) })) !== null;
    },
  };
}
