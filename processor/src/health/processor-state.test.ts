import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, readProcessorStates, type PaymentBreakerState, type ProcessorState } from '@orders/core';
import { ProcessorStateReport, type WaitingOn } from './processor-state.ts';

/** The few hash commands the report uses, over a Map; `failing` makes every command reject. */
function fakeRedis() {
  const hashes = new Map<string, Map<string, string>>();
  const hash = (key: string) => hashes.get(key) ?? hashes.set(key, new Map()).get(key)!;
  const fake = {
    failing: false,
    writes: 0,
    hashes,
    multi() {
      const steps: (() => unknown)[] = [];
      const chain = {
        hset: (key: string, field: string, value: string) => (steps.push(() => hash(key).set(field, value)), chain),
        pexpire: () => (steps.push(() => 1), chain),
        hgetall: (key: string) => (steps.push(() => Object.fromEntries(hash(key))), chain),
        exec: async () => {
          await Promise.resolve();
          if (fake.failing) throw new Error('Connection is closed.');
          fake.writes += 1;
          return steps.map((step) => [null, step()]);
        },
      };
      return chain;
    },
    async hdel(key: string, ...fields: string[]) {
      if (fake.failing) throw new Error('Connection is closed.');
      for (const field of fields) hash(key).delete(field);
      return fields.length;
    },
    async hgetall(key: string) {
      if (fake.failing) throw new Error('Connection is closed.');
      return Object.fromEntries(hash(key));
    },
  };
  return fake;
}

const logger = createLogger('processor-state-test', 'silent');
const reports: ProcessorStateReport[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(reports.splice(0).map((report) => report.stop()));
});

function reportOf(waiting: { current: WaitingOn }, extra: { logger?: typeof logger } = {}) {
  const report = new ProcessorStateReport({
    prefix: 'test_',
    waitingOn: () => waiting.current,
    logger: extra.logger ?? logger,
    instance: 'proc-a',
    intervalMs: 5000,
    ttlMs: 15_000,
  });
  reports.push(report);
  return report;
}

const closed: WaitingOn = { breaker: 'closed', paused: [] };
const settle = () => new Promise((resolve) => setImmediate(resolve));
const states = async (redis: ReturnType<typeof fakeRedis>): Promise<ProcessorState[]> =>
  readProcessorStates(redis as never, 'test_');

describe("the processor's state report", () => {
  it('writes its state when it starts, then renews it every interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const redis = fakeRedis();
    reportOf({ current: closed }).start(redis as never);
    await settle();
    const [first] = await states(redis);
    expect(first).toMatchObject({ instance: 'proc-a', breaker: 'closed', paused: [] });
    expect(first!.expiresAt - Date.parse(first!.at)).toBe(15_000);
    vi.advanceTimersByTime(5000);
    await settle();
    expect(redis.writes).toBe(2);
  });

  it('writes at once when a partition pauses, with its cause and reason, and the breaker keeps its since', async () => {
    const redis = fakeRedis();
    const waiting = { current: closed };
    const report = reportOf(waiting);
    report.start(redis as never);
    await settle();
    const breakerSince = (await states(redis))[0]!.breakerSince;
    const since = new Date('2026-12-07T12:01:03Z');
    waiting.current = {
      breaker: 'closed',
      paused: [{ partition: 2, cause: 'database', since, reason: 'x'.repeat(1000) }],
    };
    report.changed();
    await settle();
    const [state] = await states(redis);
    expect(state?.paused).toEqual([
      { partition: 2, cause: 'database', since: since.toISOString(), reason: 'x'.repeat(300) },
    ]);
    expect(state?.breakerSince).toBe(breakerSince);
  });

  it('says since when the breaker is in its new state once it changes', async () => {
    const waiting: { current: WaitingOn } = { current: { breaker: 'open' as PaymentBreakerState, paused: [] } };
    const opened = new ProcessorStateReport({ prefix: 'test_', waitingOn: () => waiting.current, logger });
    expect(opened.stateNow(new Date('2026-12-07T12:01:00Z')).breakerSince).toBe('2026-12-07T12:01:00.000Z');
    expect(opened.stateNow(new Date('2026-12-07T12:02:00Z')).breakerSince).toBe('2026-12-07T12:01:00.000Z');
    waiting.current = { breaker: 'half_open', paused: [] };
    expect(opened.stateNow(new Date('2026-12-07T12:03:00Z')).breakerSince).toBe('2026-12-07T12:03:00.000Z');
  });

  it('keeps one write in flight, and writes the latest state after it when changes came meanwhile', async () => {
    const redis = fakeRedis();
    const report = reportOf({ current: closed });
    report.start(redis as never);
    for (let i = 0; i < 10; i++) report.changed();
    await settle();
    await settle();
    expect(redis.writes).toBe(2);
  });

  it('logs a Redis failure at debug, throws nothing, and writes again at the next change', async () => {
    const redis = fakeRedis();
    redis.failing = true;
    const debug = vi.fn();
    const report = reportOf({ current: closed }, { logger: { ...logger, debug } });
    report.start(redis as never);
    await settle();
    expect(debug).toHaveBeenCalledWith('could not write the processor state to Redis', expect.anything());
    redis.failing = false;
    report.changed();
    await settle();
    expect(await states(redis)).toHaveLength(1);
  });

  it('deletes its state when it stops, and writes no more', async () => {
    const redis = fakeRedis();
    const report = reportOf({ current: closed });
    report.start(redis as never);
    await settle();
    await report.stop();
    report.changed();
    await settle();
    expect(await states(redis)).toEqual([]);
  });
});
