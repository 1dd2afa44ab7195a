import { describe, expect, it } from 'vitest';
import { ConfigError } from '@orders/core';
import { loadConfig } from './config.ts';

/** Production needs the payment service named. */
const payments = { PAYMENTS_URL: 'http://127.0.0.1:4010' };

describe('the processor configuration', () => {
  it('works on a local machine with only its payment service set, in production mode', () => {
    const { http, ...rest } = loadConfig({ PAYMENTS_URL: 'http://127.0.0.1:4010' });
    expect(rest).toEqual({
      mongo: { uri: 'mongodb://127.0.0.1:27017/orders' },
      namePrefix: '',
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379', masterName: 'orders-redis' },
      log: { level: 'info' },
      auth: { secret: undefined, production: true },
      payments: {
        url: 'http://127.0.0.1:4010',
        timeoutMs: 2000,
        retries: 2,
        breakerFailures: 5,
        breakerHalfOpenMs: 5000,
      },
      processing: {
        concurrency: 6,
        maxInFlight: 32,
        commitIntervalMs: 200,
        logLength: 10_000,
      },
    });
    expect(http).toMatchObject({ port: 4001, host: '0.0.0.0' });
    expect(http.trustedProxies.description).toBe('none');
  });

  it('is a development processor only when NODE_ENV says so', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).auth.production).toBe(false);
  });

  it('needs the payment service named in production, and pays through the local stand-in in development', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYMENTS_URL: required in production/);
    expect(loadConfig({ NODE_ENV: 'development' }).payments.url).toBe('http://127.0.0.1:4010');
    expect(loadConfig({ NODE_ENV: 'test' }).payments.url).toBe('http://127.0.0.1:4010');
  });

  it('believes X-Forwarded-For from the proxies TRUST_PROXY lists, and refuses an entry that is not a CIDR', () => {
    const { trustedProxies } = loadConfig({ ...payments, TRUST_PROXY: '10.0.0.0/8, ::1' }).http;
    expect(trustedProxies.has('10.1.2.3')).toBe(true);
    expect(trustedProxies.has('::1')).toBe(true);
    expect(trustedProxies.has('192.168.0.1')).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33,proxy.local' })).toThrow(
      /TRUST_PROXY: "10\.0\.0\.0\/33": the prefix length must be 0 to 32[\s\S]*TRUST_PROXY: "proxy\.local" is not/,
    );
  });

  it('reads its HTTP listener and the secret that checks operator tokens from the environment', () => {
    const config = loadConfig({
      ...payments,
      PROCESSOR_PORT: '0',
      PROCESSOR_HOST: '127.0.0.1',
      NODE_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(32),
    });
    expect(config.http).toMatchObject({ port: 0, host: '127.0.0.1' });
    expect(config.auth).toEqual({ secret: 'x'.repeat(32), production: true });
  });

  it('refuses a port out of range and a secret too short, both at once', () => {
    expect(() => loadConfig({ PROCESSOR_PORT: '70000', AUTH_SECRET: 'short' })).toThrow(
      /PROCESSOR_PORT[\s\S]*AUTH_SECRET|AUTH_SECRET[\s\S]*PROCESSOR_PORT/,
    );
  });

  it('reads the processing settings from the environment', () => {
    const config = loadConfig({
      ...payments,
      PROCESSOR_CONCURRENCY: '6',
      PROCESSOR_MAX_IN_FLIGHT: '8',
      PROCESSOR_COMMIT_INTERVAL_MS: '50',
      STATUS_LOG_LENGTH: '500',
    });
    expect(config.processing).toEqual({
      concurrency: 6,
      maxInFlight: 8,
      commitIntervalMs: 50,
      logLength: 500,
    });
  });

  it('reads where the payment service is and how patiently to call it', () => {
    const config = loadConfig({
      PAYMENTS_URL: 'http://payments.internal:8080',
      PAYMENTS_TIMEOUT_MS: '500',
      PAYMENTS_RETRIES: '0',
      PAYMENTS_BREAKER_FAILURES: '3',
      PAYMENTS_BREAKER_HALF_OPEN_MS: '1000',
    });
    expect(config.payments).toEqual({
      url: 'http://payments.internal:8080',
      timeoutMs: 500,
      retries: 0,
      breakerFailures: 3,
      breakerHalfOpenMs: 1000,
    });
  });

  it('names every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ PAYMENTS_URL: 'ftp://payments', PAYMENTS_RETRIES: '-1', PROCESSOR_CONCURRENCY: 'many' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^PAYMENTS_URL: /m);
    expect(problems).toMatch(/^PAYMENTS_RETRIES: /m);
    expect(problems).toMatch(/^PROCESSOR_CONCURRENCY: /m);
  });
});
