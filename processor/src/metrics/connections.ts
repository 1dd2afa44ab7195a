/**
 * Counts the processor's reconnects from its clients' own events: its Redis
 * connection ready again after the first time; a Kafka client of one kind
 * (consumer, producer, transactional producer) connecting again, including a
 * client renewed after it fell out of step, and a consumer restarting after a
 * crash. The Kafka clients are made deep inside the consumer and the
 * publishers, so the Kafka client that makes them is watched instead.
 */
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { ProcessorMetrics } from './processor-metrics.ts';

export function countRedisReconnects(
  metrics: ProcessorMetrics,
  client: { readonly status: string; on(event: 'ready', listener: () => void): unknown },
): void {
  let readyBefore = client.status === 'ready';
  client.on('ready', () => {
    if (readyBefore) metrics.reconnects.redis.inc({ connection: 'processor' });
    readyBefore = true;
  });
  metrics.reconnects.redis.inc({ connection: 'processor' }, 0);
}

/** Makes `kafka` tell the metrics of every connect after the first of each kind of client it makes. */
export function countKafkaReconnects(metrics: ProcessorMetrics, kafka: Kafka): Kafka {
  const connectedBefore = new Set<string>();
  const connected = (client: string) => {
    if (connectedBefore.has(client)) metrics.reconnects.kafka.inc({ client });
    connectedBefore.add(client);
  };
  for (const client of ['consumer', 'producer', 'transactional-producer']) metrics.reconnects.kafka.inc({ client }, 0);
  const makeProducer = kafka.producer.bind(kafka);
  const makeConsumer = kafka.consumer.bind(kafka);
  kafka.producer = (config) => {
    const producer: Producer = makeProducer(config);
    const client = config?.transactionalId ? 'transactional-producer' : 'producer';
    producer.on(producer.events.CONNECT, () => connected(client));
    return producer;
  };
  kafka.consumer = (config) => {
    const consumer: Consumer = makeConsumer(config);
    consumer.on(consumer.events.CONNECT, () => connected('consumer'));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) metrics.reconnects.kafka.inc({ client: 'consumer' });
    });
    return consumer;
  };
  return kafka;
}
