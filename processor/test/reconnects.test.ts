/** The processor's reconnect counters on the real broker and Redis: a client connecting again counts once, its first connection not at all. */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, createLogger } from '@orders/core';
import { BROKERS, REDIS_URL, waitFor } from '../../test/support/index.ts';
import { countKafkaReconnects, countRedisReconnects } from '../src/metrics/connections.ts';
import { ProcessorMetrics } from '../src/metrics/processor-metrics.ts';

const value = async (metrics: ProcessorMetrics, name: string, labels: Record<string, string>) =>
  (await metrics.registry.getSingleMetric(name)!.get()).values.find((sample) =>
    Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  )?.value;

const closing: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closing.map((close) => close())));

describe('the reconnect counters', () => {
  it('count a Kafka producer that connects again, per kind of client, and not its first connection', async () => {
    const metrics = new ProcessorMetrics();
    const kafka = countKafkaReconnects(metrics, createKafka('reconnects-test', BROKERS, createLogger('test', 'error')));
    const producer = kafka.producer();
    closing.push(() => producer.disconnect());
    await producer.connect();
    expect(await value(metrics, 'kafka_reconnects_total', { client: 'producer' })).toBe(0);
    await producer.disconnect();
    await producer.connect();
    expect(await value(metrics, 'kafka_reconnects_total', { client: 'producer' })).toBe(1);
    expect(await value(metrics, 'kafka_reconnects_total', { client: 'consumer' })).toBe(0);
  });

  it('count a Redis connection ready again after a break', async () => {
    const metrics = new ProcessorMetrics();
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    closing.push(() => redis.quit());
    await redis.connect();
    countRedisReconnects(metrics, redis);
    expect(await value(metrics, 'redis_reconnects_total', { connection: 'processor' })).toBe(0);
    redis.disconnect(true);
    await waitFor(
      'the reconnect to be counted',
      async () => (await value(metrics, 'redis_reconnects_total', { connection: 'processor' })) === 1,
    );
  });
});
