import { describe, expect, it } from 'vitest';
import { ConfigError, KafkaModel, MongoModel, RedisModel, parseConfig, redisConfig } from './config.ts';

const Model = MongoModel.extend(KafkaModel.shape).extend(RedisModel.shape);

describe('parseConfig', () => {
  it('gives working local defaults when nothing is set', () => {
    expect(parseConfig(Model, {})).toEqual({
      MONGODB_URI: 'mongodb://127.0.0.1:27017/orders',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      NAME_PREFIX: '',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_MASTER_NAME: 'orders-redis',
    });
  });

  it('reads Sentinels as host and port pairs, and refuses one without a port', () => {
    const raw = parseConfig(RedisModel, { REDIS_SENTINELS: '127.0.0.1:26379, sentinel-2:26380' });
    expect(redisConfig(raw)).toEqual({
      url: 'redis://127.0.0.1:6379',
      masterName: 'orders-redis',
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: 'sentinel-2', port: 26380 },
      ],
    });
    expect(() => parseConfig(RedisModel, { REDIS_SENTINELS: '127.0.0.1' })).toThrow(
      /REDIS_SENTINELS: must be host:port/,
    );
  });

  it('reports every invalid setting at once, each by name', () => {
    let error: unknown;
    try {
      parseConfig(Model, { MONGODB_URI: 'postgres://x', KAFKA_BROKERS: 'no-port', REDIS_URL: 'nope' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/MONGODB_URI: must be a URL starting with mongodb:\/\//);
    expect(problems.join('\n')).toMatch(/KAFKA_BROKERS: must be host:port/);
    expect(problems.join('\n')).toMatch(/REDIS_URL: must be a URL starting with redis:\/\//);
  });

  it('reads the prefix by its old name, KAFKA_TOPIC_PREFIX, when NAME_PREFIX is not set', () => {
    expect(parseConfig(Model, { KAFKA_TOPIC_PREFIX: 'old.' }).NAME_PREFIX).toBe('old.');
    expect(parseConfig(Model, { KAFKA_TOPIC_PREFIX: 'old.', NAME_PREFIX: 'new.' }).NAME_PREFIX).toBe('new.');
  });

  it('splits a list of brokers', () => {
    expect(parseConfig(Model, { KAFKA_BROKERS: 'a:1, b:2' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });
});
