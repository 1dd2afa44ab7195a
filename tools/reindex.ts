/**
 * Rebuilds the order index in Redis from MongoDB: `npm run reindex`.
 *
 * The orders are streamed from MongoDB in one cursor (memory stays bounded
 * whatever their number) and applied by version, so it is safe while the
 * system runs: a change its writers make meanwhile is newer and wins. Holds
 * the same lock a server takes to rebuild, so the two never run together.
 *
 * Options: --fresh deletes the index first (lists are partial until it ends;
 * use it to drop orders deleted from MongoDB behind the system's back).
 * Settings: MONGODB_URI, REDIS_URL (or REDIS_SENTINELS and REDIS_MASTER_NAME), NAME_PREFIX, as the services read them.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  ConfigError,
  KafkaModel,
  MongoModel,
  OrderIndex,
  RedisModel,
  connectDatabase,
  createModels,
  createRedis,
  parseConfig,
  rebuildIndex,
  redisConfig,
  takeRebuildLock,
} from '@orders/core';

const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });

let config;
try {
  config = parseConfig(z.object({ ...MongoModel.shape, ...RedisModel.shape, ...KafkaModel.shape }), process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const redis = createRedis(redisConfig(config), { maxRetriesPerRequest: 2 });
const connection = await connectDatabase(config.MONGODB_URI);
const models = createModels(connection);
const index = new OrderIndex(redis, { prefix: config.NAME_PREFIX });
let exitCode = 0;
const lock = await takeRebuildLock(index, `reindex-${randomUUID()}`);
try {
  if (lock === undefined) {
    throw new Error(
      'another process is rebuilding the index (a server that found it missing); try again when it is done',
    );
  }
  if (values.fresh)
    console.error(`dropped ${await index.drop({ except: [index.keys.rebuildLock] })} keys of the old index`);
  console.error(`rebuilding the order index from ${config.MONGODB_URI}…`);
  const done = await rebuildIndex(models, index, {
    progressEvery: 50_000,
    keepGoing: async () => lock.held,
    onProgress: ({ read, ms }) => {
      console.error(
        `  ${read} orders, ${(ms / 1000).toFixed(1)} s, ${Math.round(read / Math.max(ms / 1000, 0.001))}/s`,
      );
    },
  });
  console.error(`order index rebuilt: ${done.read} orders in ${(done.ms / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await lock?.release();
  redis.disconnect();
  await connection.close();
}
process.exit(exitCode);
