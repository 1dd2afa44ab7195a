/**
 * Order events between server instances, over Redis PubSub
 * (graphql-redis-subscriptions on ioredis). Every instance subscribes to the
 * same channels, so a subscriber on any instance receives every change.
 */
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import {
  channelsFor,
  createRedis,
  type RedisConfig,
  type Channels,
  type Logger,
  type OrderCreatedMessage,
  type OrderStatusMessage,
} from '@orders/core';

export interface OrderEvents {
  readonly channels: Channels;
  readonly pubsub: RedisPubSub;
  /** The connection that publishes: the order index's writes go on it, their PUBLISH with them. */
  readonly redis: Redis;
  created(): AsyncIterableIterator<OrderCreatedMessage>;
  statusChanges(): AsyncIterableIterator<OrderStatusMessage>;
  ping(): Promise<void>;
  /** Calls `listener` each time the Redis subscription is back after a break (not on the first connect). */
  onResubscribed(listener: () => void): void;
  close(): Promise<void>;
}

export function createOrderEvents(config: RedisConfig, prefix: string, logger: Logger): OrderEvents {
  const options = {
    // Reconnect for ever with a capped backoff; ioredis resubscribes by itself.
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000),
    maxRetriesPerRequest: 2,
  };
  const publisher = createRedis(config, options);
  // No CLIENT SETINFO handshake on the subscribing connection: since ioredis 5.8.2 its handshake can
  // interleave with SUBSCRIBEs queued before the connection opened, and the ready check's INFO then
  // arrives in subscriber mode and fails ("Connection in subscriber mode, only subscriber commands may be
  // used"), which reconnects the client and loses subscriptions made meanwhile: a server that heard no
  // status change at all, seen once in the fault suite and once in the cluster suite (ioredis issue 2037).
  const subscriber = createRedis(config, { ...options, disableClientInfo: true });
  for (const [role, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    client.on('error', (error) => logger.warn('redis connection error', { role, error }));
    client.on('ready', () => logger.info('redis ready', { role }));
  }
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const resubscribed: (() => void)[] = [];
  let connectedBefore = false;
  subscriber.on('ready', () => {
    // ioredis resubscribes its channels on reconnect; what was published during the break is gone.
    if (connectedBefore) for (const listener of resubscribed) listener();
    connectedBefore = true;
  });
  const channels = channelsFor(prefix);

  return {
    channels,
    pubsub,
    redis: publisher,
    created: () => pubsub.asyncIterableIterator<OrderCreatedMessage>(channels.created),
    statusChanges: () => pubsub.asyncIterableIterator<OrderStatusMessage>(channels.status),
    async ping() {
      await publisher.ping();
    },
    onResubscribed: (listener) => void resubscribed.push(listener),
    async close() {
      // QUIT fails on a connection that is already closing (a subscription ending at the same time);
      // such a connection is dropped instead: either way it is closed when this resolves.
      await Promise.all(
        [publisher, subscriber].map((client) =>
          client.quit().catch((error: unknown) => {
            logger.debug('redis QUIT failed; disconnecting', { error });
            client.disconnect();
          }),
        ),
      );
    },
  };
}
