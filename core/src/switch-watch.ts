/**
 * Following a failover that no socket reports: a primary that hangs (SIGSTOP, a network partition)
 * closes nothing, and a client connected to it would wait for it for ever. The Sentinels announce
 * each promotion on their `+switch-master` channel; one watch per process and primary listens there,
 * and drops the connection of every client of that primary that is connected, so that it reconnects
 * through the Sentinels to the new primary and sends again what it had in flight.
 *
 * Clients that are reconnecting already (their primary died) are left alone: they ask the Sentinels
 * on their next attempt anyway, and closing them in the middle of an attempt would end them.
 */
import { Redis } from 'ioredis';
import type { RedisConfig } from './config.ts';

const CHANNEL = '+switch-master';

interface Watch {
  readonly sentinels: Redis[];
  readonly clients: Set<Redis>;
}

const watches = new Map<string, Watch>();

function startWatch(key: string, config: RedisConfig): Watch {
  const clients = new Set<Redis>();
  const sentinels = (config.sentinels ?? []).map(({ host, port }) => {
    const sentinel = new Redis({
      host,
      port,
      // A Sentinel away: try it again, for ever, at most a second apart; the others still speak.
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 1000),
      maxRetriesPerRequest: null,
    });
    sentinel.on('error', () => {});
    sentinel.subscribe(CHANNEL).catch(() => undefined);
    // `<name> <old ip> <old port> <new ip> <new port>`
    sentinel.on('message', (_channel: string, message: string) => {
      if (message.split(' ')[0] !== config.masterName) return;
      for (const client of clients) if (client.status === 'ready') client.disconnect(true);
    });
    return sentinel;
  });
  const watch = { sentinels, clients };
  watches.set(key, watch);
  return watch;
}

/** Has `client` follow the switches of its primary until it ends; the watch ends with its last client. */
export function followSwitches(config: RedisConfig, client: Redis): void {
  const key = `${config.masterName}@${(config.sentinels ?? []).map(({ host, port }) => `${host}:${port}`).join(',')}`;
  const watch = watches.get(key) ?? startWatch(key, config);
  watch.clients.add(client);
  client.once('end', () => {
    watch.clients.delete(client);
    if (watch.clients.size > 0 || watches.get(key) !== watch) return;
    watches.delete(key);
    for (const sentinel of watch.sentinels) sentinel.disconnect();
  });
}
