import { describe, expect, it } from 'vitest';
import type { ProcessorState, SharedPause } from '@orders/core';
import { clockTime, processorWarnings } from './processor-warnings.ts';
import { pipelineWarnings } from './pipeline-warnings.ts';

const NOW = Date.parse('2026-12-07T12:05:00Z');
const TOPIC = 'orders.created';

function state(instance: string, extra: Partial<ProcessorState> = {}): ProcessorState {
  return {
    instance,
    breaker: 'closed',
    breakerSince: '2026-12-07T11:00:00.000Z',
    paused: [],
    at: '2026-12-07T12:04:58.000Z',
    expiresAt: NOW + 10_000,
    ...extra,
  };
}

const pause = (partition: number, cause: string, since: string, reason = 'connect ECONNREFUSED'): SharedPause => ({
  partition,
  cause,
  since,
  reason,
});

describe('the warnings from what the processors wait on', () => {
  it('are none while every breaker is closed and no partition is paused', () => {
    expect(processorWarnings([state('proc-a'), state('proc-b')], TOPIC, NOW)).toEqual([]);
  });

  it('say which processors have their payment breaker open or half-open, and since when, and that orders wait', () => {
    const warnings = processorWarnings(
      [
        state('proc-a', { breaker: 'open', breakerSince: '2026-12-07T12:01:03.000Z' }),
        state('proc-b', { breaker: 'half_open', breakerSince: '2026-12-07T12:04:10.000Z' }),
        state('proc-c'),
      ],
      TOPIC,
      NOW,
    );
    expect(warnings.map((w) => w.code)).toEqual(['PAYMENTS_UNAVAILABLE']);
    const message = warnings[0]!.message;
    expect(message).toContain('on 2 of 3 processors');
    expect(message).toContain('proc-a open since 12:01:03 UTC');
    expect(message).toContain('proc-b half-open (one trial call at a time) since 12:04:10 UTC');
    expect(message).toContain('none is failed for it');
  });

  it('name three processors at most and count the rest', () => {
    const open = ['a', 'b', 'c', 'd', 'e'].map((name) => state(`proc-${name}`, { breaker: 'open' }));
    const [warning] = processorWarnings(open, TOPIC, NOW);
    expect(warning?.message).toContain('proc-c open since 11:00:00 UTC and 2 more');
    expect(warning?.message).not.toContain('proc-d');
  });

  it('group paused partitions by cause, with the earliest since, its reason, and that they resume by themselves', () => {
    const warnings = processorWarnings(
      [
        state('proc-a', {
          paused: [
            pause(0, 'database', '2026-12-07T12:01:05.000Z', 'connection <monitor> to 127.0.0.1:27017 closed'),
            pause(2, 'database', '2026-12-07T12:01:03.000Z', 'Server selection timed out after 30000 ms'),
          ],
        }),
        state('proc-b', {
          paused: [
            pause(5, 'database', '2026-12-07T12:01:09.000Z'),
            pause(3, 'payments', '2026-12-07T12:02:00.000Z', 'payment service breaker open'),
          ],
        }),
      ],
      TOPIC,
      NOW,
    );
    expect(warnings.map((w) => w.code)).toEqual(['PIPELINE_PAUSED']);
    expect(warnings[0]!.message).toBe(
      '1 partition of orders.created (3) waits on the payment service (payment service unavailable: payment service breaker open) since 12:02:00 UTC; it resumes by itself when it answers again. ' +
        '3 partitions of orders.created (0, 2, 5) wait on the database (MongoDB unreachable: Server selection timed out after 30000 ms) since 12:01:03 UTC; they resume by themselves when it is back.',
    );
  });

  it('count a partition two processors name (a rebalance under way) once, as the latest one says', () => {
    const [warning] = processorWarnings(
      [
        state('proc-a', { at: '2026-12-07T12:04:50.000Z', paused: [pause(1, 'redis', '2026-12-07T12:04:00.000Z')] }),
        state('proc-b', { at: '2026-12-07T12:04:59.000Z', paused: [pause(1, 'kafka', '2026-12-07T12:04:30.000Z')] }),
      ],
      TOPIC,
      NOW,
    );
    expect(warning?.message).toMatch(/^1 partition of orders.created \(1\) waits on Kafka/);
    expect(warning?.message).not.toContain('Redis');
  });

  it('show the date of a since that is not today', () => {
    expect(clockTime('2026-12-06T23:59:59.000Z', NOW)).toBe('2026-12-06 23:59:59 UTC');
    expect(clockTime('2026-12-07T00:00:01.000Z', NOW)).toBe('00:00:01 UTC');
  });

  it('come after the consumer group warnings, and even when Kafka does not answer', () => {
    const processors = [state('proc-a', { breaker: 'open' })];
    const base = { groupId: 'order-processor', sampleIntervalMs: 2000, lagHistory: [], processors, now: NOW };
    const group = { partitions: [], totalLag: 0, members: 0, state: 'Empty' };
    expect(pipelineWarnings({ ...base, group }).map((w) => w.code)).toEqual(['NO_PROCESSOR', 'PAYMENTS_UNAVAILABLE']);
    expect(pipelineWarnings({ ...base, group: null }).map((w) => w.code)).toEqual([
      'KAFKA_UNREACHABLE',
      'PAYMENTS_UNAVAILABLE',
    ]);
  });
});
