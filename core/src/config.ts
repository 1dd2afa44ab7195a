/**
 * Configuration models, one zod model per concern. Every setting has a working
 * default for local use; `parseConfig` reads them all at once and reports every
 * error together, so a misconfigured service says everything wrong in one go.
 */
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

export const MongoModel = z.object({
  MONGODB_URI: url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/orders'),
});

export const KafkaModel = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim()))
    .refine((brokers) => brokers.every((broker) => /^[\w.-]+:\d+$/.test(broker)), 'must be host:port[,host:port…]'),
  /**
   * Goes before every name one system uses on the shared servers: its Kafka topics and consumer
   * group, its Redis channels and order index keys. `KAFKA_TOPIC_PREFIX` is its old name, still read.
   */
  NAME_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/, 'may hold letters, digits, ".", "_" and "-" only')
    .default(''),
});

export const RedisModel = z.object({
  /** The one Redis, or (with REDIS_SENTINELS) where its password, database and TLS are read from. */
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /**
   * Sentinels that watch a primary and its replicas, `host:port,…`: when set, every client asks them
   * which node is primary and follows it through a failover (see redis-client.ts).
   */
  REDIS_SENTINELS: z
    .string()
    .transform((value) => value.split(',').map((sentinel) => sentinel.trim()))
    .refine(
      (sentinels) => sentinels.every((sentinel) => /^[\w.-]+:\d+$/.test(sentinel)),
      'must be host:port[,host:port…]',
    )
    .optional(),
  /** The name the Sentinels know the primary by (`sentinel monitor <name> …`). */
  REDIS_MASTER_NAME: z
    .string()
    .regex(/^[\w.-]+$/, 'may hold letters, digits, ".", "_" and "-" only')
    .default('orders-redis'),
});

export const LogModel = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** What every service needs of the shared servers: MongoDB, Kafka (and the name prefix), Redis, and its log level. */
export const SharedServersModel = MongoModel.extend(KafkaModel.shape).extend(RedisModel.shape).extend(LogModel.shape);

/** The shared servers' settings, as every service's configuration holds them. */
export function sharedServersConfig(raw: z.infer<typeof SharedServersModel>) {
  return {
    mongo: { uri: raw.MONGODB_URI },
    /** Before every name this system uses on the shared servers: topics, consumer groups, Redis channels and keys. */
    namePrefix: raw.NAME_PREFIX,
    kafka: { brokers: raw.KAFKA_BROKERS },
    redis: redisConfig(raw),
    log: { level: raw.LOG_LEVEL },
  };
}

/** Where Redis is: one URL, or Sentinels and the name of the primary they watch. */
export interface RedisConfig {
  readonly url: string;
  readonly sentinels?: readonly { readonly host: string; readonly port: number }[];
  readonly masterName: string;
}

export function redisConfig(raw: z.infer<typeof RedisModel>): RedisConfig {
  const sentinels = raw.REDIS_SENTINELS?.map((sentinel) => {
    const at = sentinel.lastIndexOf(':');
    return { host: sentinel.slice(0, at), port: Number(sentinel.slice(at + 1)) };
  });
  return { url: raw.REDIS_URL, masterName: raw.REDIS_MASTER_NAME, ...(sentinels ? { sentinels } : {}) };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Settings renamed, by their old name: the old name still works, and the new one wins when both are set. */
const RENAMED: Readonly<Record<string, string>> = { KAFKA_TOPIC_PREFIX: 'NAME_PREFIX' };

/** Parses `env` against a zod object model; throws one ConfigError that lists every problem. */
export function parseConfig<T extends z.ZodObject>(model: T, env: Record<string, string | undefined>): z.infer<T> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  for (const [old, current] of Object.entries(RENAMED)) {
    if (cleaned[old] !== undefined && cleaned[current] === undefined) cleaned[current] = cleaned[old];
    delete cleaned[old];
  }
  const result = model.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

export const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const rateFromEnv = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
