/**
 * Counts the server's reconnects to Redis and Kafka from the clients' own
 * events: a Redis connection that is ready again after its first time, a Kafka
 * client that connects again. (kafkajs re-opens a producer's broker
 * connections inside its requests without an event; what it reports is a
 * client connecting again, as after `connect()` on a renewed client.)
 */
import type { Admin, Producer } from 'kafkajs';
import type { ServerMetrics } from './server-metrics.ts';

/** A Redis client as the metrics see it: it says when it is ready. */
interface ReadyEmitter {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
}

export function countRedisReconnects(metrics: ServerMetrics, connection: string, client: ReadyEmitter): void {
  // Watched once the server has connected: a client ready now has had its first time.
  let readyBefore = client.status === 'ready';
  client.on('ready', () => {
    if (readyBefore) metrics.reconnects.redis.inc({ connection });
    readyBefore = true;
  });
  // Shown at 0 before the first break, so that rate() has a start.
  metrics.reconnects.redis.inc({ connection }, 0);
}

export function countKafkaReconnects(metrics: ServerMetrics, name: string, client: Producer | Admin): void {
  // Watched after connectStores connected it: the next connect is a reconnect.
  let connectedBefore = true;
  const onConnect = () => {
    if (connectedBefore) metrics.reconnects.kafka.inc({ client: name });
    connectedBefore = true;
  };
  // Both events are named 'producer.connect' / 'admin.connect'; the union of the two `on`s is not callable as one.
  (client as Producer).on(client.events.CONNECT as Producer['events']['CONNECT'], onConnect);
  metrics.reconnects.kafka.inc({ client: name }, 0);
}
