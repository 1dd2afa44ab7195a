/**
 * Redis without a single point of failure, on loopback: two Redis nodes (a primary and its replica,
 * Debian's redis-server) and three Sentinels (redis-sentinel) that watch them and promote the
 * replica when the primary is gone, beside the single Redis on 6379. Data, configuration files and
 * logs under .data/redis-ha and .data/run like the other servers.
 *
 * The nodes are named by their port, not by their role: after a failover 6381 is the primary and
 * 6380, once back, its replica. A node started while the other one is up starts as its replica;
 * the Sentinels' files are written anew only when no node of the set runs (a fresh start), since
 * they hold what the Sentinels learnt (the current primary, the epoch).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { dataDir } from './paths.ts';
import { installDebianPackage, portOpen, startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

/** The name the Sentinels know the primary by: REDIS_MASTER_NAME. */
export const REDIS_HA_MASTER = 'orders-redis';
export const REDIS_HA_NODE_PORTS = [6380, 6381] as const;
export const REDIS_HA_SENTINEL_PORTS = [26379, 26380, 26381] as const;
/** Two of the three Sentinels must agree the primary is down before one of them fails it over. */
const QUORUM = 2;
/** How long a primary may not answer before a Sentinel holds it down: the floor of a failover's time. */
export const REDIS_HA_DOWN_AFTER_MS = 2000;
const FAILOVER_TIMEOUT_MS = 10_000;

/** What the services and the tests set to use the set. */
export const REDIS_HA_ENV = {
  REDIS_SENTINELS: REDIS_HA_SENTINEL_PORTS.map((port) => `127.0.0.1:${port}`).join(','),
  REDIS_MASTER_NAME: REDIS_HA_MASTER,
} as const;

const haDir = path.join(dataDir, 'redis-ha');

const client = (port: number) => {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  return redis;
};

async function ask<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = client(port);
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

/** `INFO replication` of a node, as fields. */
export async function replicationOf(port: number): Promise<Record<string, string>> {
  const text = await ask(port, (redis) => redis.info('replication'));
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
  );
}

/** The primary's address as the first Sentinel that answers names it. */
export async function primaryPerSentinels(): Promise<{ host: string; port: number } | undefined> {
  for (const port of REDIS_HA_SENTINEL_PORTS) {
    const answer = await ask(port, (redis) => redis.call('SENTINEL', 'get-master-addr-by-name', REDIS_HA_MASTER)).catch(
      () => undefined,
    );
    if (Array.isArray(answer) && answer.length === 2) return { host: String(answer[0]), port: Number(answer[1]) };
  }
  return undefined;
}

/** Whether any node or Sentinel of the set is listening. */
async function anyRunning(): Promise<boolean> {
  const open = await Promise.all([...REDIS_HA_NODE_PORTS, ...REDIS_HA_SENTINEL_PORTS].map((port) => portOpen(port)));
  return open.some(Boolean);
}

/** The node a starting node replicates: the other node when it answers as primary, else the first node for the second. */
const replicaOf = new Map<number, number | undefined>();

function nodeService(port: number): NativeService {
  const name = `redis-ha-${port}`;
  const dir = path.join(haDir, String(port));
  return {
    name,
    port,
    startTimeoutMs: 15_000,
    async prepare() {
      installDebianPackage(name, 'redis-server', 'redis-server', 'Docker');
      const other = REDIS_HA_NODE_PORTS.find((candidate) => candidate !== port)!;
      const otherRole = await replicationOf(other).then(
        (fields) => fields.role,
        () => undefined,
      );
      const first = port === REDIS_HA_NODE_PORTS[0];
      replicaOf.set(port, otherRole === 'master' || (otherRole === undefined && !first) ? other : undefined);
    },
    start() {
      mkdirSync(dir, { recursive: true });
      const primary = replicaOf.get(port);
      // A file of its own, which the Sentinels rewrite (CONFIG REWRITE) when they change its role.
      const file = path.join(dir, 'redis.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          'save ""',
          'appendonly yes',
          'appendfsync everysec',
          ...(primary === undefined ? [] : [`replicaof 127.0.0.1 ${primary}`]),
          '',
        ].join('\n'),
      );
      return startDetached({ name, command: 'redis-server', args: [file] });
    },
    async probe() {
      const answer = await ask(port, (redis) => redis.ping());
      if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
    },
  };
}

function sentinelService(port: number): NativeService {
  const name = `redis-sentinel-${port}`;
  const dir = path.join(haDir, `sentinel-${port}`);
  const file = path.join(dir, 'sentinel.conf');
  let fresh = false;
  return {
    name,
    port,
    startTimeoutMs: 15_000,
    async prepare() {
      installDebianPackage(name, 'redis-sentinel', 'redis-sentinel', 'Docker');
      fresh = !(await anyRunning());
    },
    start() {
      mkdirSync(dir, { recursive: true });
      // Sentinel keeps what it learns in this file (it must be writable): written anew on a fresh start only.
      if (fresh || !existsSync(file)) {
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${REDIS_HA_MASTER} 127.0.0.1 ${REDIS_HA_NODE_PORTS[0]} ${QUORUM}`,
            `sentinel down-after-milliseconds ${REDIS_HA_MASTER} ${REDIS_HA_DOWN_AFTER_MS}`,
            `sentinel failover-timeout ${REDIS_HA_MASTER} ${FAILOVER_TIMEOUT_MS}`,
            `sentinel parallel-syncs ${REDIS_HA_MASTER} 1`,
            '',
          ].join('\n'),
        );
      }
      return startDetached({ name, command: 'redis-sentinel', args: [file] });
    },
    async probe() {
      const answer = await ask(port, (redis) => redis.call('SENTINEL', 'get-master-addr-by-name', REDIS_HA_MASTER));
      if (!Array.isArray(answer)) throw new Error(`does not know ${REDIS_HA_MASTER} yet`);
    },
  };
}

/** The nodes first (a Sentinel starting before its primary only waits), then the Sentinels. */
export const redisHaServices: NativeService[] = [
  ...REDIS_HA_NODE_PORTS.map(nodeService),
  ...REDIS_HA_SENTINEL_PORTS.map(sentinelService),
];

/** Lines for `status --redis-ha`: each node's role, the replica's lag, and the primary per the Sentinels. */
export async function redisHaStatus(): Promise<string[]> {
  const lines: string[] = [];
  const named = await primaryPerSentinels();
  lines.push(
    `redis-ha primary per the Sentinels: ${named ? `${named.host}:${named.port}` : 'unknown (no Sentinel answers)'}`,
  );
  for (const port of REDIS_HA_NODE_PORTS) {
    const fields = await replicationOf(port).catch(() => undefined);
    if (fields === undefined) {
      lines.push(`redis-ha-${port}: down`);
      continue;
    }
    if (fields.role === 'master') {
      const offset = Number(fields.master_repl_offset);
      const replicas = Object.entries(fields)
        .filter(([key]) => /^slave\d+$/.test(key))
        .map(([, value]) => Object.fromEntries(value.split(',').map((pair) => pair.split('=') as [string, string])));
      const described = replicas.map(
        (replica) =>
          `${replica.ip}:${replica.port} ${replica.state}, lag ${replica.lag} s, ${offset - Number(replica.offset)} bytes behind`,
      );
      lines.push(`redis-ha-${port}: primary, replicas: ${described.length ? described.join('; ') : 'none'}`);
    } else {
      lines.push(
        `redis-ha-${port}: replica of ${fields.master_host}:${fields.master_port}, link ${fields.master_link_status}` +
          (fields.master_last_io_seconds_ago === undefined
            ? ''
            : `, last heard ${fields.master_last_io_seconds_ago} s ago`),
      );
    }
  }
  return lines;
}

/**
 * Resolves once the set can fail over: a primary with its replica's link up, and every Sentinel
 * knowing the primary, the replica and the two other Sentinels. Before that, a failover may pick
 * no replica, or find no quorum.
 */
export async function redisHaReady(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const last = await readiness().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (last === '') return;
    if (Date.now() > deadline) throw new Error(`the Redis HA set is not ready after ${timeoutMs} ms: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What the set still lacks to fail over, or '' when it lacks nothing. */
async function readiness(): Promise<string> {
  const primary = await primaryPerSentinels();
  if (primary === undefined) return 'no Sentinel names a primary';
  const fields = await replicationOf(primary.port);
  if (fields.role !== 'master') return `${primary.port} is named primary but is a ${fields.role}`;
  if (!/state=online/.test(fields.slave0 ?? '')) return `the primary ${primary.port} has no replica online`;
  for (const port of REDIS_HA_SENTINEL_PORTS) {
    const [replicas, sentinels] = await ask(port, (redis) =>
      Promise.all([
        redis.call('SENTINEL', 'replicas', REDIS_HA_MASTER) as Promise<unknown[]>,
        redis.call('SENTINEL', 'sentinels', REDIS_HA_MASTER) as Promise<unknown[]>,
      ]),
    );
    if (replicas.length < 1) return `Sentinel ${port} knows no replica yet`;
    if (sentinels.length < REDIS_HA_SENTINEL_PORTS.length - 1)
      return `Sentinel ${port} knows ${sentinels.length} other Sentinels`;
  }
  return '';
}
