/**
 * The Sentinel-managed Redis of `npm run services -- up --redis-ha` as the HA suite handles it: which
 * node is primary, killing or stopping it, waiting for the Sentinels to promote the other, starting
 * a killed node again so that the next test finds a primary with its replica, and reading one node
 * directly (not through the Sentinels) to see what it holds.
 */
import { Redis } from 'ioredis';
import {
  REDIS_HA_NODE_PORTS,
  primaryPerSentinels,
  redisHaReady,
  redisHaServices,
  replicationOf,
} from '../../infra/services/redis-ha.ts';
import { listenerPid, sleep } from '../support/index.ts';

export { redisHaReady, replicationOf };

/** The port of the node the Sentinels name primary. */
export async function primaryPort(): Promise<number> {
  const primary = await primaryPerSentinels();
  if (primary === undefined) throw new Error('no Sentinel names a primary: run `npm run services -- up --redis-ha`');
  return primary.port;
}

export const otherNode = (port: number) => REDIS_HA_NODE_PORTS.find((candidate) => candidate !== port)!;

/** The pid of the node listening on `port`. */
export function nodePid(port: number): number {
  const pid = listenerPid(port);
  if (pid === undefined) throw new Error(`no Redis node listens on ${port}`);
  return pid;
}

/** Resolves with the time it took once the Sentinels name `to` primary; `since` is when the fault began. */
export async function promoted(to: number, since: number, timeoutMs = 60_000): Promise<number> {
  while ((await primaryPerSentinels())?.port !== to) {
    if (Date.now() - since > timeoutMs) throw new Error(`the Sentinels did not promote ${to} within ${timeoutMs} ms`);
    await sleep(50);
  }
  return Date.now() - since;
}

/** Starts a node that was killed again, as a replica of the node that is primary, and waits until the set can fail over. */
export async function restartNode(port: number): Promise<void> {
  const service = redisHaServices.find((candidate) => candidate.port === port)!;
  if (listenerPid(port) === undefined) {
    await service.prepare();
    service.start();
  }
  await redisHaReady(60_000);
}

/** A connection to one node itself, whatever its role: to read what that node holds. */
export function nodeClient(port: number): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  return redis;
}

/** Every entry id of a system's per-partition logs on one node: `<partition>:<seq>`. */
export async function logEntries(redis: Redis, logKey: (partition: number) => string, partitions: number) {
  const entries = new Set<string>();
  for (let partition = 0; partition < partitions; partition++) {
    for (const [id] of await redis.xrange(logKey(partition), '-', '+')) {
      entries.add(`${partition}:${id.slice(0, id.indexOf('-'))}`);
    }
  }
  return entries;
}
