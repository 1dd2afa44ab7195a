/** The server's configuration: one model per concern, parsed once at start. */
import { z } from 'zod';
import { KafkaModel, LogModel, MongoModel, RedisModel, intFromEnv, parseConfig } from '@orders/core';

const ServerModel = z.object({
  PORT: intFromEnv(4000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  OUTBOX_INTERVAL_MS: intFromEnv(5000, 100, 3_600_000),
  OUTBOX_GRACE_MS: intFromEnv(10_000, 0, 3_600_000),
  STATS_INTERVAL_MS: intFromEnv(250, 50, 60_000),
  WEB_DIST: z.string().optional(),
});

const Model = ServerModel.extend(MongoModel.shape)
  .extend(KafkaModel.shape)
  .extend(RedisModel.shape)
  .extend(LogModel.shape);

export function loadConfig(env: Record<string, string | undefined>) {
  const raw = parseConfig(Model, env);
  return {
    http: { port: raw.PORT, host: raw.HOST, webDist: raw.WEB_DIST },
    mongo: { uri: raw.MONGODB_URI },
    kafka: { brokers: raw.KAFKA_BROKERS, topicPrefix: raw.KAFKA_TOPIC_PREFIX },
    redis: { url: raw.REDIS_URL },
    log: { level: raw.LOG_LEVEL },
    outbox: { intervalMs: raw.OUTBOX_INTERVAL_MS, graceMs: raw.OUTBOX_GRACE_MS },
    stats: { intervalMs: raw.STATS_INTERVAL_MS },
  };
}

export type ServerConfig = ReturnType<typeof loadConfig>;
