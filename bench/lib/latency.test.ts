import { describe, expect, it } from 'vitest';
import { steadyRate, summarize } from './latency.ts';

describe('summarize', () => {
  it('takes the nearest-rank percentiles of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('says NaN rather than zero when there are no samples', () => {
    expect(summarize([]).p99).toBeNaN();
  });
});

describe('the steady rate of final states', () => {
  it('is the offered rate for a pipeline that keeps up, however long and uneven its latency', () => {
    // 1,000 orders sent 10 ms apart (100/s), each final 200 to 1,400 ms later.
    const finals = Array.from({ length: 1000 }, (_, i) => i * 10 + 200 + ((i * 7919) % 1200));
    expect(steadyRate(finals)).toBeGreaterThan(95);
    expect(steadyRate(finals)).toBeLessThan(105);
  });

  it('is the rate it decides at for a pipeline that falls behind', () => {
    // Sent at 100/s, decided one every 12.5 ms (80/s) as a backlog builds.
    const finals = Array.from({ length: 1000 }, (_, i) => 300 + i * 12.5);
    expect(steadyRate(finals)).toBeCloseTo(80, 0);
  });

  it('says nothing of too few orders', () => {
    expect(steadyRate([1, 2, 3])).toBe(0);
  });
});
