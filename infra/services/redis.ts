/** Debian's redis-server on 127.0.0.1:6379 with its append-only file in .data/redis, installed with apt-get when it is missing. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { dataDir } from './paths.ts';
import { installDebianPackage, startDetached } from './processes.ts';
import type { NativeService } from './service.ts';

export const REDIS_PORT = 6379;

export const redis: NativeService = {
  name: 'redis',
  port: REDIS_PORT,
  startTimeoutMs: 15_000,

  async prepare() {
    installDebianPackage('redis', 'redis-server', 'redis-server', 'Docker');
  },

  start() {
    const dir = path.join(dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    // The order index lives here: kept across restarts in an append-only file, written to disk every second.
    return startDetached({
      name: 'redis',
      command: 'redis-server',
      args: [
        '--port',
        String(REDIS_PORT),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--dir',
        dir,
      ],
    });
  },

  async probe() {
    const client = new Redis({ port: REDIS_PORT, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      const answer = await client.ping();
      if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
    } finally {
      client.disconnect();
    }
  },
};
