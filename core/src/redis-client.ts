/**
 * Every Redis client of the system is made here, from its configuration: the one node at
 * REDIS_URL, or the primary that the Sentinels of REDIS_SENTINELS name, followed through a
 * failover by ioredis's own Sentinel support. Callers say what they need of a connection (lazy,
 * how often a command is retried); how to find and follow the primary is decided once, here.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { parseConfig, RedisModel, redisConfig, type RedisConfig } from './config.ts';
import { followSwitches } from './switch-watch.ts';

/** What a caller may choose of a connection; where it connects to is the configuration's. */
export type RedisClientOptions = Omit<RedisOptions, 'sentinels' | 'name' | 'role' | 'host' | 'port' | 'path'>;

/**
 * How many reconnections a command waits through before it fails, behind Sentinels at least: a
 * failover takes Sentinel's down-after time plus an election (a few seconds), and each failed
 * attempt to reach the old primary meanwhile counts as one.
 */
export const FAILOVER_RETRIES = 20;

const reconnectDelay = (attempt: number) => Math.min(100 * 2 ** attempt, 1000);

/**
 * A write answered READONLY reached a primary that was demoted to a replica under the client
 * (SIGSTOPped, then back): reconnect, to the primary the Sentinels name now, and send it again.
 * 2 tells ioredis to resend the command that failed, so the write is retried, not lost.
 */
export function resendOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/** A client of this system's Redis. */
export function createRedis(config: RedisConfig, options: RedisClientOptions = {}): Redis {
  if (config.sentinels === undefined) return new Redis(config.url, options);
  const url = new URL(config.url);
  const retries = options.maxRetriesPerRequest;
  const client = new Redis({
    retryStrategy: reconnectDelay,
    ...options,
    sentinels: config.sentinels.map(({ host, port }) => ({ host, port })),
    name: config.masterName,
    role: 'master',
    // What REDIS_URL says of the primary beside its address: credentials, database, TLS.
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // Every Sentinel away: ask them again, for ever, at most a second apart.
    sentinelRetryStrategy: reconnectDelay,
    // Not ioredis's own detector: when the switch is announced while the client is already
    // reconnecting (its primary was killed), it closes the connector in the middle of that attempt
    // and the client ends for good ("Connection is closed."). switch-watch.ts does its work instead.
    failoverDetector: false,
    reconnectOnError: resendOnReadonly,
    // Commands made while the primary changes wait for the new one, and commands in flight on the old
    // one are sent again (autoResendUnfulfilledCommands, on by default).
    enableOfflineQueue: true,
    maxRetriesPerRequest: retries === null ? null : Math.max(retries ?? FAILOVER_RETRIES, FAILOVER_RETRIES),
  });
  followSwitches(config, client);
  return client;
}

/** The Redis settings read from an environment (tools, tests and benchmarks that have no config model of their own). */
export function redisConfigFrom(env: Record<string, string | undefined>): RedisConfig {
  return redisConfig(parseConfig(RedisModel, env));
}
